using System.Text.Json;

namespace LlmAdapters;

/// <summary>One chunk of a stream (its text piece and mapped <c>resp</c> fields), or one step of an async call's poll loop.</summary>
public sealed class LlmStreamUpdate
{
    // Three references and no more, since a metadata stream makes one of these per chunk (40 bytes on 64-bit):
    // _source is a chunk's snapshot until the fields are first read, then the dictionary made from it (or the
    // dictionary given); a poll step's status rides in a small wrapper, since poll steps are few.
    private object _source;
    private readonly string? _eventType;

    /// <summary>Creates an update. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmStreamUpdate(string text, IReadOnlyDictionary<string, JsonElement> fields, string? eventType = null, string? status = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Text = text ?? string.Empty;
        _source = status is null ? fields : new PollStep(fields, status);
        _eventType = eventType;
    }

    /// <summary>A stream chunk's update whose fields are made from <paramref name="snapshot"/> when read.</summary>
    internal LlmStreamUpdate(string text, Mapping.ChunkSnapshot snapshot, string? eventType)
    {
        Text = text;
        _source = snapshot;
        _eventType = eventType;
    }

    /// <summary>The new text of this chunk (empty when the chunk carries only metadata, such as the final usage).</summary>
    public string Text { get; }

    /// <summary>The <c>resp</c> items this chunk carries, after converters and chunk filters: non-null values only (a value that a converter turns into null is left out too).</summary>
    /// <exception cref="LlmException">A converter rejected a value (reported by the stream before this update is yielded, too).</exception>
    public IReadOnlyDictionary<string, JsonElement> Fields => Volatile.Read(ref _source) switch
    {
        Mapping.ChunkSnapshot snapshot => MakeFields(snapshot),
        PollStep step => step.Fields,
        var fields => (IReadOnlyDictionary<string, JsonElement>)fields,
    };

    /// <summary>The Server-Sent Events event type of the chunk (stream_format sse), else null.</summary>
    public string? EventType => _eventType;

    /// <summary>For async calls: <c>submitted</c> after the submit (with the task's <c>queryid</c> in <see cref="Fields"/>), then the status each poll reported, then <c>finished</c> with the result. Null for stream chunks.</summary>
    public string? Status => Volatile.Read(ref _source) is PollStep step ? step.Status : null;

    /// <summary>Token usage, when this chunk carries it.</summary>
    public LlmUsage? Usage => Volatile.Read(ref _source) is Mapping.ChunkSnapshot snapshot ? snapshot.Usage : Mapping.ResponseMap.UsageFrom(Fields);

    /// <summary>
    /// The tools the model asks to call: empty on every chunk but the last update of a stream, which carries all of them,
    /// whole (their pieces joined and checked), in <see cref="Fields"/>' <c>tool_calls</c> item.
    /// </summary>
    public IReadOnlyList<LlmToolCall> ToolCalls => Volatile.Read(ref _source) is Mapping.ChunkSnapshot ? [] : Mapping.ToolCalls.From(Fields); // a chunk's update never carries calls

    /// <summary>The finish reason, when this chunk carries it.</summary>
    public string? FinishReason => Volatile.Read(ref _source) is Mapping.ChunkSnapshot snapshot ? snapshot.FinishReason : Mapping.ResponseMap.FinishReasonFrom(Fields);

    /// <summary>
    /// The text of one field, as <see cref="LlmResponse.GetString"/> gives it: a JSON string as is, any other JSON value as
    /// JSON text, null when the field is missing or null.
    /// </summary>
    /// <remarks>
    /// Reads the one field: a consumer that needs a field or two per chunk (a reasoning piece, an id) does not pay for
    /// <see cref="Fields"/>, which makes every field of the chunk.
    /// </remarks>
    /// <param name="field">The <c>resp</c> item's name, such as <c>reasoning</c>.</param>
    public string? GetString(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (Volatile.Read(ref _source) is Mapping.ChunkSnapshot snapshot && snapshot.TryGetString(field, Text, out var text))
        {
            return text;
        }

        return Fields.TryGetValue(field, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())
            : null;
    }

    /// <summary>The text of a string or number field, without making <see cref="Fields"/> when the update has a snapshot.</summary>
    internal string? FieldText(string name)
    {
        if (Volatile.Read(ref _source) is Mapping.ChunkSnapshot snapshot)
        {
            return snapshot.TextOf(name) ?? (snapshot.IsFromText(name) ? Text : null);
        }

        return Fields.TryGetValue(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Internal.JsonValues.ToText(value) : null;
    }

    private IReadOnlyDictionary<string, JsonElement> MakeFields(Mapping.ChunkSnapshot snapshot)
    {
        // Made on first read (most consumers of a stream read its text, finish reason and usage only) and kept in place of
        // the snapshot; two threads may both make it, equal, and either is kept.
        var made = snapshot.Fields(Text);
        return Interlocked.CompareExchange(ref _source, made, snapshot) is Mapping.ChunkSnapshot ? made : (IReadOnlyDictionary<string, JsonElement>)Volatile.Read(ref _source);
    }

    /// <inheritdoc />
    public override string ToString() => Status is { } status ? $"({status}) {Text}" : EventType is null ? Text : $"[{EventType}] {Text}";

    /// <summary>A poll step's fields and status.</summary>
    private sealed record PollStep(IReadOnlyDictionary<string, JsonElement> Fields, string Status);
}
