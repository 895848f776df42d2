using System.Text.Json;
using LlmAdapters.Definitions;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Conversion;

/// <summary>
/// A converter declared in data (a definition file's <c>converters</c> section): maps an object, or each element of an
/// array, to a new object with the declared keys, each read by a key path and optionally replaced through a lookup.
/// </summary>
/// <remarks>
/// A key whose path finds nothing (or JSON null) is left out, as an optional template value is. A found value whose text
/// (strings unquoted, other values as JSON) is listed in the key's <c>values</c> is replaced by the listed JSON value;
/// other values pass unchanged. JSON null stays null; a string or number input is a <see cref="FormatException"/>.
/// Immutable and thread-safe.
/// </remarks>
internal sealed class MappingConverter : ILlmConverter
{
    private readonly (string Key, KeyPath Path, IReadOnlyDictionary<string, JsonElement>? Values)[] _fields;

    private MappingConverter(string name, (string, KeyPath, IReadOnlyDictionary<string, JsonElement>?)[] fields)
    {
        Name = name;
        _fields = fields;
    }

    public string Name { get; }

    /// <summary>Compiles the file's declared converters; a key path that does not parse is a problem at its line.</summary>
    public static IReadOnlyList<ILlmConverter> Create(IReadOnlyList<ConverterDefinition> definitions, List<LlmDefinitionProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(problems);
        var converters = new List<ILlmConverter>(definitions.Count);
        foreach (var definition in definitions)
        {
            var fields = new List<(string, KeyPath, IReadOnlyDictionary<string, JsonElement>?)>(definition.Fields.Count);
            var valid = true;
            foreach (var (key, text) in definition.Fields)
            {
                if (KeyPath.TryParse(text, out var path, out var error))
                {
                    fields.Add((key, path, definition.Values.GetValueOrDefault(key)));
                }
                else
                {
                    problems.Add(new LlmDefinitionProblem(definition.Location.File, definition.Location.Line, $"{definition.Location.JsonPath}.fields", $"the key path '{text}' of '{key}' in converter '{definition.Name}' is invalid: {error}"));
                    valid = false;
                }
            }

            if (valid)
            {
                converters.Add(new MappingConverter(definition.Name, [.. fields]));
            }
        }

        return converters;
    }

    public JsonElement Convert(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return value;
            case JsonValueKind.Object:
                return JsonValues.Write((this, value), static (w, s) => s.Item1.WriteMapped(w, s.value));
            case JsonValueKind.Array:
                return JsonValues.Write((this, value), static (w, s) =>
                {
                    w.WriteStartArray();
                    foreach (var item in s.value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Object)
                        {
                            throw new FormatException($"converter '{s.Item1.Name}' maps objects; an element of the array is a JSON {item.ValueKind.ToString().ToLowerInvariant()}");
                        }

                        s.Item1.WriteMapped(w, item);
                    }

                    w.WriteEndArray();
                });
            default:
                throw new FormatException($"converter '{Name}' maps an object or an array of objects, not a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    private void WriteMapped(Utf8JsonWriter w, JsonElement item)
    {
        w.WriteStartObject();
        foreach (var (key, path, values) in _fields)
        {
            if (!path.TryEvaluate(item, out var found) || found.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                continue;
            }

            w.WritePropertyName(key);
            if (values is not null && values.TryGetValue(JsonValues.ToText(found), out var replacement))
            {
                replacement.WriteTo(w);
            }
            else
            {
                found.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }
}
