using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>The file's <c>converters</c> section: converters declared in data, for the file's own items.</summary>
internal static partial class DefinitionReader
{
    /// <summary>The top-level key of the section; not a call name.</summary>
    public const string ConvertersKey = "converters";

    /// <summary>Every key a declared converter may have. The JSON Schema in adapters/ lists the same keys.</summary>
    public static readonly IReadOnlyList<string> ConverterKeys = ["description", "fields", "values"];

    private sealed partial class Reader
    {
        private List<ConverterDefinition> ReadConverters(JsonElement section, SourceLocation at)
        {
            if (section.ValueKind != JsonValueKind.Object)
            {
                Problem(at, $"\"converters\" must be an object of named converters, such as {{ \"acme_turns\": {{ \"fields\": {{ \"speaker\": \"role\", \"text\": \"content\" }} }} }}, not a JSON {Kind(section)}");
                return [];
            }

            var converters = new List<ConverterDefinition>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in section.EnumerateObject())
            {
                var converterAt = at.Child(property.Name, lines);
                if (property.Name.StartsWith('$'))
                {
                    continue;
                }

                if (!seen.Add(property.Name))
                {
                    Problem(converterAt, $"the converter '{property.Name}' is declared twice; keep one");
                    continue;
                }

                if (property.Name.Trim().Length == 0)
                {
                    Problem(converterAt, "a converter needs a name that items can write in \"converter\"");
                    continue;
                }

                if (ReadConverter(property.Name, property.Value, converterAt) is { } converter)
                {
                    converters.Add(converter);
                }
            }

            return converters;
        }

        private ConverterDefinition? ReadConverter(string name, JsonElement converter, SourceLocation at)
        {
            if (converter.ValueKind != JsonValueKind.Object)
            {
                Problem(at, $"converter '{name}' must be an object with \"fields\" (output key → key path), not a JSON {Kind(converter)}");
                return null;
            }

            var before = problems.Count;
            CheckKeys(converter, at, ConverterKeys, $"converter '{name}'");
            if (converter.TryGetProperty("description", out var description))
            {
                RequireString(description, at.Child("description", lines), "a sentence for people");
            }

            var fields = new List<KeyValuePair<string, string>>();
            if (!converter.TryGetProperty("fields", out var fieldsValue))
            {
                Problem(at, $"converter '{name}' has no \"fields\"; add the keys it writes and the key path each is read from, such as \"fields\": {{ \"speaker\": \"role\", \"text\": \"content\" }}");
            }
            else if (fieldsValue.ValueKind != JsonValueKind.Object || !fieldsValue.EnumerateObject().Any())
            {
                Problem(at.Child("fields", lines), $"\"fields\" of converter '{name}' must be an object with at least one output key → key path, such as {{ \"text\": \"content\" }}");
            }
            else
            {
                foreach (var field in fieldsValue.EnumerateObject())
                {
                    if (fields.Any(f => f.Key == field.Name))
                    {
                        Problem(at.Child("fields", lines).Child(field.Name, lines), $"\"fields\" of converter '{name}' has the key '{field.Name}' twice; keep one");
                        continue;
                    }

                    if (RequireString(field.Value, at.Child("fields", lines).Child(field.Name, lines), "a key path into the value, such as \"content\"") is { } path)
                    {
                        fields.Add(new(field.Name, path));
                    }
                }
            }

            var values = new Dictionary<string, IReadOnlyDictionary<string, JsonElement>>(StringComparer.Ordinal);
            if (converter.TryGetProperty("values", out var valuesValue))
            {
                var valuesAt = at.Child("values", lines);
                if (valuesValue.ValueKind != JsonValueKind.Object)
                {
                    Problem(valuesAt, $"\"values\" of converter '{name}' must be an object: output key → {{ found value → value written }}, such as {{ \"speaker\": {{ \"assistant\": \"bot\" }} }}");
                }
                else
                {
                    foreach (var field in valuesValue.EnumerateObject())
                    {
                        var fieldAt = valuesAt.Child(field.Name, lines);
                        if (!fields.Any(f => f.Key == field.Name))
                        {
                            Problem(fieldAt, $"\"values\" of converter '{name}' names '{field.Name}', which is not one of its \"fields\"{Internal.DidYouMean.Hint(field.Name, fields.Select(f => f.Key))}");
                        }
                        else if (field.Value.ValueKind != JsonValueKind.Object)
                        {
                            Problem(fieldAt, $"must be an object of found value → value written, such as {{ \"assistant\": \"bot\" }}, not a JSON {Kind(field.Value)}");
                        }
                        else
                        {
                            var lookup = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                            foreach (var entry in field.Value.EnumerateObject())
                            {
                                if (!lookup.TryAdd(entry.Name, entry.Value.Clone()))
                                {
                                    Problem(fieldAt.Child(entry.Name, lines), $"\"values\" of '{field.Name}' in converter '{name}' lists '{entry.Name}' twice; keep one");
                                }
                            }

                            values[field.Name] = lookup;
                        }
                    }
                }
            }

            return problems.Count > before ? null : new ConverterDefinition(name, fields, values, at);
        }
    }
}
