using System.Text.Json;

namespace LlmAdapters;

/// <summary>The result of a call, mapped from the vendor's response by the call's <c>resp</c> items.</summary>
public sealed class LlmResponse
{
    // A sync call's items are made into JSON elements only when first read (see Mapping.MappedFields); otherwise null.
    private readonly Mapping.MappedFields? _mapped;
    private readonly IReadOnlyDictionary<string, JsonElement>? _fields;
    private readonly LlmUsage? _usage;
    private readonly string? _finishReason;

    /// <summary>Creates a response. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmResponse(string text, IReadOnlyDictionary<string, JsonElement> fields, int statusCode, LlmUsage? usage = null, string? finishReason = null)
    {
        Text = text ?? string.Empty;
        _fields = fields ?? throw new ArgumentNullException(nameof(fields));
        StatusCode = statusCode;
        _usage = usage;
        _finishReason = finishReason;
    }

    internal LlmResponse(Mapping.MappedFields mapped, int statusCode)
    {
        Text = mapped.Text;
        _mapped = mapped;
        StatusCode = statusCode;
    }

    /// <summary>The same response, answered by <paramref name="profile"/>.</summary>
    internal LlmResponse(LlmResponse source, string? profile)
    {
        Text = source.Text;
        _mapped = source._mapped;
        _fields = source._fields;
        _usage = source._usage;
        _finishReason = source._finishReason;
        StatusCode = source.StatusCode;
        Embeddings = source.Embeddings;
        Profile = profile;
    }

    /// <summary>The answer text: the <c>resp</c> item named <c>content</c>, else <c>text</c>, else the first item.</summary>
    public string Text { get; }

    /// <summary>Every <c>resp</c> item by name. An item whose key path found nothing is JSON <c>null</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Fields => _fields ?? _mapped!.Fields;

    /// <summary>The HTTP status code of the vendor's response.</summary>
    public int StatusCode { get; }

    /// <summary>Token usage, from the <c>resp</c> items <c>input_tokens</c>/<c>output_tokens</c>/<c>total_tokens</c> or an item named <c>usage</c>; null when the adapter maps none.</summary>
    public LlmUsage? Usage => _mapped is null ? _usage : _mapped.Usage;

    /// <summary>Why generation stopped, from the <c>resp</c> item named <c>finish_reason</c>.</summary>
    public string? FinishReason => _mapped is null ? _finishReason : _mapped.FinishReason;

    /// <summary>The tools the model asks to call, from the <c>resp</c> item named <c>tool_calls</c>; empty when it asks for none or the adapter maps none.</summary>
    /// <remarks>A stream call's are the calls its pieces built, checked when the stream ended: a call cut short is an <see cref="LlmStreamException"/>, never a call here.</remarks>
    public IReadOnlyList<LlmToolCall> ToolCalls => _toolCalls ??= Mapping.ToolCalls.From(Fields);

    private IReadOnlyList<LlmToolCall>? _toolCalls;

    /// <summary>The profile that answered: the client's own, or a fallback profile (see <c>LlmProfile.Fallbacks</c>).</summary>
    public string? Profile { get; init; }

    /// <summary>The embedding vectors of an embedding call, one per <see cref="LlmRequest.Inputs"/> entry and in that order; empty for other calls.</summary>
    /// <remarks>
    /// Read from the <c>resp</c> item named <c>embeddings</c> straight into one <see cref="float"/> array per vector.
    /// When the inputs went in several batches, <see cref="Text"/>, <see cref="Fields"/> and <see cref="StatusCode"/>
    /// are the last batch's, and <see cref="Usage"/> is the sum of the batches'.
    /// </remarks>
    public IReadOnlyList<ReadOnlyMemory<float>> Embeddings { get; init; } = [];

    /// <summary>The text of a field: a JSON string as is, any other JSON value as JSON text, null when the field is missing or null.</summary>
    public string? GetString(string field)
        => Fields.TryGetValue(field, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())
            : null;

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode}: {(Text.Length > 80 ? Text[..80] + "…" : Text)}";
}
