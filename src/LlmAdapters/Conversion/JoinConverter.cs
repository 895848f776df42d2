using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Conversion;

/// <summary>
/// The <c>join</c> converter: a list (such as a <c>[*]</c> projection) becomes one string, its elements joined by the
/// separator given in the item's <c>args</c> (a string; without <c>args</c>, a line feed).
/// </summary>
/// <remarks>
/// Strings are joined as they are, numbers and booleans as their JSON text; JSON null elements are skipped; an object or
/// array element is a <see cref="FormatException"/> (there is no text to join). A string passes unchanged, null stays
/// null, and any other value is a <see cref="FormatException"/>. Immutable and thread-safe.
/// </remarks>
internal sealed class JoinConverter(string separator) : ILlmConverter, IConverterWithArgs
{
    public const string ConverterName = "join";

    public static JoinConverter Default { get; } = new("\n");

    public string Name => ConverterName;

    public string Separator { get; } = separator;

    public bool TryBind(JsonElement args, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmConverter? bound, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        if (args.ValueKind != JsonValueKind.String)
        {
            bound = null;
            error = $"join takes the separator as a string, such as \"args\": \", \", not a JSON {args.ValueKind.ToString().ToLowerInvariant()}";
            return false;
        }

        bound = new JoinConverter(args.GetString()!);
        error = null;
        return true;
    }

    public JsonElement Convert(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.String:
                return value;
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    switch (item.ValueKind)
                    {
                        case JsonValueKind.Null:
                            continue;
                        case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                            if (!first)
                            {
                                sb.Append(Separator);
                            }

                            sb.Append(JsonValues.ToText(item));
                            first = false;
                            break;
                        case JsonValueKind.Object or JsonValueKind.Array:
                            throw new FormatException($"join takes a list of strings, numbers or booleans, but an element is a JSON {item.ValueKind.ToString().ToLowerInvariant()}");
                        default:
                            throw new FormatException($"join cannot read a JSON {item.ValueKind.ToString().ToLowerInvariant()} element");
                    }
                }

                return JsonValues.String(sb.ToString());
            default:
                throw new FormatException($"join takes a list (or a string), not a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
        }
    }
}
