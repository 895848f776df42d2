using System.Text.Json;

namespace LlmAdapters;

/// <summary>One chunk of a stream (its text piece and mapped <c>resp</c> fields), or one step of an async call's poll loop.</summary>
public sealed class LlmStreamUpdate
{
    /// <summary>Creates an update. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmStreamUpdate(string text, IReadOnlyDictionary<string, JsonElement> fields, string? eventType = null, string? status = null)
    {
        Text = text ?? string.Empty;
        _fields = fields ?? throw new ArgumentNullException(nameof(fields));
        EventType = eventType;
        Status = status;
    }

    /// <summary>A stream chunk's update whose fields are made from <paramref name="snapshot"/> when read.</summary>
    internal LlmStreamUpdate(string text, Mapping.ChunkSnapshot snapshot, string? eventType)
    {
        Text = text;
        _snapshot = snapshot;
        EventType = eventType;
    }

    private readonly Mapping.ChunkSnapshot? _snapshot;
    private IReadOnlyDictionary<string, JsonElement>? _fields;

    /// <summary>The new text of this chunk (empty when the chunk carries only metadata, such as the final usage).</summary>
    public string Text { get; }

    /// <summary>The <c>resp</c> items this chunk carries (non-null values only), after converters and chunk filters.</summary>
    /// <exception cref="LlmException">A converter rejected a value (reported by the stream before this update is yielded, too).</exception>
    public IReadOnlyDictionary<string, JsonElement> Fields => _fields ?? MakeFields();

    /// <summary>The Server-Sent Events event type of the chunk (stream_format sse), else null.</summary>
    public string? EventType { get; }

    /// <summary>For async calls: <c>submitted</c> after the submit (with the task's <c>queryid</c> in <see cref="Fields"/>), then the status each poll reported, then <c>finished</c> with the result. Null for stream chunks.</summary>
    public string? Status { get; }

    /// <summary>Token usage, when this chunk carries it.</summary>
    public LlmUsage? Usage => _snapshot is { } snapshot ? snapshot.Usage : Mapping.ResponseMap.UsageFrom(Fields);

    /// <summary>
    /// The tools the model asks to call: empty on every chunk but the last update of a stream, which carries all of them,
    /// whole (their pieces joined and checked), in <see cref="Fields"/>' <c>tool_calls</c> item.
    /// </summary>
    public IReadOnlyList<LlmToolCall> ToolCalls => _snapshot is not null ? [] : Mapping.ToolCalls.From(Fields); // a chunk's update never carries calls


    /// <summary>The finish reason, when this chunk carries it.</summary>
    public string? FinishReason => _snapshot is { } snapshot ? snapshot.FinishReason : Mapping.ResponseMap.FinishReasonFrom(Fields);

    /// <summary>The text of a string or number field, without making <see cref="Fields"/> when the update has a snapshot.</summary>
    internal string? FieldText(string name)
    {
        if (_snapshot is { } snapshot && Volatile.Read(ref _fields) is null)
        {
            return snapshot.TextOf(name) ?? (snapshot.IsFromText(name) ? Text : null);
        }

        return Fields.TryGetValue(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Internal.JsonValues.ToText(value) : null;
    }

    private IReadOnlyDictionary<string, JsonElement> MakeFields()
    {
        // Made on first read (most consumers of a stream read its text, finish reason and usage only); two threads may
        // both make it, equal, and either is kept.
        var made = _snapshot!.Fields(Text);
        return Interlocked.CompareExchange(ref _fields, made, null) ?? made;
    }

    /// <inheritdoc />
    public override string ToString() => Status is not null ? $"({Status}) {Text}" : EventType is null ? Text : $"[{EventType}] {Text}";
}
