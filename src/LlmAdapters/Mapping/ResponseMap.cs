using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

/// <summary>A call's compiled <c>resp</c> items: which field is the text, and how usage and finish reason are found.</summary>
internal sealed class ResponseMap
{
    /// <param name="fields">The items.</param>
    /// <param name="firstIsText">False when only an item named <c>content</c> or <c>text</c> is the text (an embedding call, whose answer is its vectors).</param>
    public ResponseMap(IReadOnlyList<ResponseField> fields, bool firstIsText = true)
    {
        Fields = [.. fields];
        TextIndex = IndexOf("content");
        if (TextIndex < 0)
        {
            TextIndex = IndexOf("text");
        }

        if (TextIndex < 0 && fields.Count > 0 && firstIsText)
        {
            TextIndex = 0;
        }

        UsageAndFinishFields = [.. UsageAndFinishNames.Select(IndexOf).Where(i => i >= 0)];
        FinishReasonIndex = IndexOf("finish_reason");
        HasNamedText = TextIndex >= 0 && Fields[TextIndex].Name is "content" or "text";
    }

    /// <summary>The index of the item named <c>finish_reason</c>, or -1 (looked up per stream update, so found once).</summary>
    public int FinishReasonIndex { get; }

    /// <summary>The items <see cref="UsageFrom"/> and <see cref="FinishReasonFrom"/> read, by index.</summary>
    public int[] UsageAndFinishFields { get; }

    /// <summary>The items, in the definition's order (an array: read per chunk, by index).</summary>
    public ResponseField[] Fields { get; }

    /// <summary>
    /// True when an item is named <c>content</c> or <c>text</c>: the call answers with text, and a 2xx sync body without
    /// that item (absent, not null) is not an answer. Calls that map only other items (a model list, a submit) have none.
    /// </summary>
    public bool HasNamedText { get; }

    /// <summary>The field that is the answer text: <c>content</c>, else <c>text</c>, else the first; -1 when there are no fields.</summary>
    public int TextIndex { get; }

    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Length; i++)
        {
            if (Fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Evaluates every field over a whole response.</summary>
    /// <param name="root">The response.</param>
    /// <param name="callDescription">The call, for error messages.</param>
    /// <param name="clone">False when <paramref name="root"/> belongs to a document that is never disposed, so the values need no copies.</param>
    /// <exception cref="LlmException">A converter rejected a value, or a value holds a string that is not text.</exception>
    public Dictionary<string, JsonElement> Map(JsonElement root, string callDescription, bool clone = true)
    {
        var result = new Dictionary<string, JsonElement>(Fields.Length, StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            var value = field.TryEvaluate(root, out var found) ? (clone ? found.Clone() : found) : JsonValues.Null;
            if (!JsonValues.IsText(value))
            {
                throw NotText(field, callDescription);
            }

            result[field.Name] = Convert(field, value, callDescription);
        }

        return result;
    }

    /// <summary>The error for an item whose value holds a string that is not text: reading it would throw, and a guess would be a wrong answer.</summary>
    public static LlmException NotText(ResponseField field, string callDescription)
        => new($"The response to {callDescription} is not valid text: resp item '{field.Name}' (path '{field.PathText}') holds a string that is not valid UTF-8 or has half a surrogate pair, so it cannot be read.");

    public static JsonElement Convert(ResponseField field, JsonElement value, string callDescription)
    {
        if (field.ToolCall is { } toolCall && value.ValueKind != JsonValueKind.Null)
        {
            try
            {
                return ToolCallAccumulator.Normalize(toolCall, value);
            }
            catch (FormatException e)
            {
                throw new LlmException($"The tool calls of {callDescription} (resp item '{field.Name}', path '{field.PathText}') cannot be read: {e.Message}.", e);
            }
        }

        if (field.Converter is null || value.ValueKind == JsonValueKind.Null)
        {
            return value;
        }

        try
        {
            return field.Converter.Convert(value);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or JsonException or OverflowException)
        {
            throw new LlmException($"The converter '{field.Converter.Name}' could not convert resp item '{field.Name}' (path '{field.PathText}') of {callDescription}: {e.Message}.", e);
        }
    }

    /// <summary>The text of a field value: strings as is, arrays of strings joined, null as empty, anything else as JSON.</summary>
    public static string TextOf(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String: return value.GetString()!;
            case JsonValueKind.Null or JsonValueKind.Undefined: return string.Empty;
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return value.GetRawText();
                    }

                    sb.Append(item.GetString());
                }

                return sb.ToString();
            default: return value.GetRawText();
        }
    }

    /// <summary>
    /// The text of <paramref name="field"/>'s value: a projected list (a <c>[*]</c> item without a converter) one element
    /// per line (strings as is, other values as JSON), anything else by <see cref="TextOf(JsonElement)"/>.
    /// </summary>
    public static string TextOf(ResponseField field, JsonElement value)
    {
        if (!field.IsProjection || field.Converter is not null || value.ValueKind != JsonValueKind.Array)
        {
            return TextOf(value);
        }

        var sb = new StringBuilder();
        foreach (var item in value.EnumerateArray())
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append(item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText());
        }

        return sb.ToString();
    }

    public string TextFrom(IReadOnlyDictionary<string, JsonElement> fields)
        => TextIndex >= 0 && fields.TryGetValue(Fields[TextIndex].Name, out var v) ? TextOf(Fields[TextIndex], v) : string.Empty;

    /// <summary>Usage from the fields <c>input_tokens</c>/<c>output_tokens</c>/<c>total_tokens</c> (or their OpenAI names), else from a field named <c>usage</c>.</summary>
    /// <summary>Every item name that <see cref="UsageFrom"/> and <see cref="FinishReasonFrom"/> read.</summary>
    private static readonly string[] UsageAndFinishNames = ["input_tokens", "prompt_tokens", "output_tokens", "completion_tokens", "total_tokens", "usage", "finish_reason"];

    public static LlmUsage? UsageFrom(IReadOnlyDictionary<string, JsonElement> fields)
    {
        long? input = Number(fields, "input_tokens") ?? Number(fields, "prompt_tokens");
        long? output = Number(fields, "output_tokens") ?? Number(fields, "completion_tokens");
        long? total = Number(fields, "total_tokens");
        if (fields.TryGetValue("usage", out var usage))
        {
            if (usage.ValueKind == JsonValueKind.Object)
            {
                input ??= Number(usage, "prompt_tokens", "input_tokens", "promptTokenCount", "prompt_eval_count", "inputTokens");
                output ??= Number(usage, "completion_tokens", "output_tokens", "candidatesTokenCount", "eval_count", "outputTokens");
                total ??= Number(usage, "total_tokens", "totalTokenCount", "totalTokens");
            }
            else if (usage.ValueKind == JsonValueKind.Number && usage.TryGetInt64(out var t))
            {
                total ??= t;
            }
        }

        if (input is null && output is null && total is null)
        {
            return null;
        }

        total ??= input is not null && output is not null ? input + output : null;
        return new LlmUsage(input, output, total);
    }

    public static string? FinishReasonFrom(IReadOnlyDictionary<string, JsonElement> fields)
        => fields.TryGetValue("finish_reason", out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? JsonValues.ToText(v) : null;

    private static long? Number(IReadOnlyDictionary<string, JsonElement> fields, string name)
        => fields.TryGetValue(name, out var v) ? AsLong(v) : null;

    private static long? Number(JsonElement obj, params string[] names)
    {
        foreach (var name in names)
        {
            if (obj.TryGetProperty(name, out var v) && AsLong(v) is { } n)
            {
                return n;
            }
        }

        return null;
    }

    // A number beyond a long (1e400 reads as infinity) is no count at all: null, never the garbage a cast would make.
    private static long? AsLong(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetInt64(out var l) => l,
        JsonValueKind.Number when v.TryGetDouble(out var d) && d >= long.MinValue && d < long.MaxValue => (long)d,
        JsonValueKind.Number => null,
        JsonValueKind.String when long.TryParse(v.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var s) => s,
        _ => null,
    };
}
