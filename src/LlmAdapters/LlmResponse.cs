using System.Text.Json;

namespace LlmAdapters;

/// <summary>The result of a call, mapped from the vendor's response by the call's <c>resp</c> items.</summary>
public sealed class LlmResponse
{
    /// <summary>Creates a response. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmResponse(string text, IReadOnlyDictionary<string, JsonElement> fields, int statusCode, LlmUsage? usage = null, string? finishReason = null)
    {
        Text = text ?? string.Empty;
        Fields = fields ?? throw new ArgumentNullException(nameof(fields));
        StatusCode = statusCode;
        Usage = usage;
        FinishReason = finishReason;
    }

    /// <summary>The answer text: the <c>resp</c> item named <c>content</c>, else <c>text</c>, else the first item.</summary>
    public string Text { get; }

    /// <summary>Every <c>resp</c> item by name. An item whose key path found nothing is JSON <c>null</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Fields { get; }

    /// <summary>The HTTP status code of the vendor's response.</summary>
    public int StatusCode { get; }

    /// <summary>Token usage, from the <c>resp</c> items <c>input_tokens</c>/<c>output_tokens</c>/<c>total_tokens</c> or an item named <c>usage</c>; null when the adapter maps none.</summary>
    public LlmUsage? Usage { get; }

    /// <summary>Why generation stopped, from the <c>resp</c> item named <c>finish_reason</c>.</summary>
    public string? FinishReason { get; }

    /// <summary>The profile that answered: the client's own, or a fallback profile (see <c>LlmProfile.Fallbacks</c>).</summary>
    public string? Profile { get; init; }

    /// <summary>The text of a field: a JSON string as is, any other JSON value as JSON text, null when the field is missing or null.</summary>
    public string? GetString(string field)
        => Fields.TryGetValue(field, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())
            : null;

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode}: {(Text.Length > 80 ? Text[..80] + "…" : Text)}";
}
