using System.Text.Json;

namespace LlmAdapters;

/// <summary>One chunk of a stream (its text piece and mapped <c>resp</c> fields), or one step of an async call's poll loop.</summary>
public sealed class LlmStreamUpdate
{
    // Two references and a patch, and no more, since a metadata stream makes one of these per chunk (40 bytes on 64-bit):
    // _source is a chunk's snapshot (which holds its event type) until the fields are first read, then the dictionary
    // made from it (or the dictionary given); an event type or a poll step's status beside a dictionary rides in a small
    // wrapper. _patch: the chunk's integers where they differ from the snapshot's (Mapping.SnapshotPatch), or None.
    private object _source;
    private readonly long _patch;

    /// <summary>Creates an update. Library code creates these; the constructor is public so that tests can fake a client.</summary>
    public LlmStreamUpdate(string text, IReadOnlyDictionary<string, JsonElement> fields, string? eventType = null, string? status = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Text = text ?? string.Empty;
        _source = status is null && eventType is null ? fields : new Beside(fields, eventType, status);
    }

    /// <summary>
    /// A stream chunk's update whose fields are made from <paramref name="snapshot"/> when read, with the integers of
    /// <paramref name="patch"/> in place of the snapshot's at its sites.
    /// </summary>
    internal LlmStreamUpdate(string text, Mapping.ChunkSnapshot snapshot, long patch)
    {
        Text = text;
        _source = snapshot;
        _patch = patch;
    }

    /// <summary>True when the update was given as a shared snapshot and a patch of its integers (for the tests).</summary>
    internal bool IsPatched => _patch != Mapping.SnapshotPatch.None;

    /// <summary>The new text of this chunk (empty when the chunk carries only metadata, such as the final usage).</summary>
    public string Text { get; }

    /// <summary>The <c>resp</c> items this chunk carries, after converters and chunk filters: non-null values only (a value that a converter turns into null is left out too).</summary>
    /// <exception cref="LlmException">A converter rejected a value (reported by the stream before this update is yielded, too).</exception>
    public IReadOnlyDictionary<string, JsonElement> Fields => Volatile.Read(ref _source) switch
    {
        Mapping.ChunkSnapshot => MakeFields(),
        Beside beside => beside.Fields,
        var fields => (IReadOnlyDictionary<string, JsonElement>)fields,
    };

    /// <summary>The Server-Sent Events event type of the chunk (stream_format sse), else null.</summary>
    public string? EventType => Volatile.Read(ref _source) switch
    {
        Mapping.ChunkSnapshot snapshot => snapshot.EventType,
        Beside beside => beside.EventType,
        _ => null,
    };

    /// <summary>For async calls: <c>submitted</c> after the submit (with the task's <c>queryid</c> in <see cref="Fields"/>), then the status each poll reported, then <c>finished</c> with the result. Null for stream chunks.</summary>
    public string? Status => Volatile.Read(ref _source) is Beside beside ? beside.Status : null;

    /// <summary>Token usage, when this chunk carries it.</summary>
    public LlmUsage? Usage => SnapshotFor(Need.Usage) is { } snapshot ? snapshot.Usage : Mapping.ResponseMap.UsageFrom(Fields);

    /// <summary>
    /// The tools the model asks to call: empty on every chunk but the last update of a stream, which carries all of them,
    /// whole (their pieces joined and checked), in <see cref="Fields"/>' <c>tool_calls</c> item.
    /// </summary>
    public IReadOnlyList<LlmToolCall> ToolCalls => Volatile.Read(ref _source) is Mapping.ChunkSnapshot ? [] : Mapping.ToolCalls.From(Fields); // a chunk's update never carries calls

    /// <summary>The finish reason, when this chunk carries it.</summary>
    public string? FinishReason => SnapshotFor(Need.FinishReason) is { } snapshot ? snapshot.FinishReason : Mapping.ResponseMap.FinishReasonFrom(Fields);

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
        if (SnapshotFor(Need.Field, field) is { } snapshot && snapshot.TryGetString(field, Text, out var text))
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
        if (SnapshotFor(Need.Field, name) is { } snapshot)
        {
            return snapshot.TextOf(name) ?? (snapshot.IsFromText(name) ? Text : null);
        }

        return Fields.TryGetValue(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Internal.JsonValues.ToText(value) : null;
    }

    /// <summary>
    /// True when <paramref name="field"/> is known to have <paramref name="other"/>'s value: both updates read from the
    /// same snapshot with the same patch (a stream's chunks that differ in their text alone), and the field is not the
    /// text. False says nothing.
    /// </summary>
    internal bool HasTheSameValue(string field, LlmStreamUpdate? other)
        => other is not null && _patch == other._patch && Volatile.Read(ref _source) is Mapping.ChunkSnapshot snapshot
            && ReferenceEquals(snapshot, Volatile.Read(ref other._source)) && !snapshot.IsFromAnyText(field);

    private IReadOnlyDictionary<string, JsonElement> MakeFields()
    {
        // Made on first read (most consumers of a stream read its text, finish reason and usage only) and kept in place of
        // the snapshot; two threads may both make it, equal, and either is kept. (_source only moves on: a shared
        // snapshot, this update's own, the fields; so Fields, read again, gives what another thread kept.)
        if (SnapshotFor(Need.All) is not { } snapshot)
        {
            return Fields;
        }

        var made = snapshot.Fields(Text);
        object kept = snapshot.EventType is null ? made : new Beside(made, snapshot.EventType, null);
        return ReferenceEquals(Interlocked.CompareExchange(ref _source, kept, snapshot), snapshot) ? made : Fields;
    }

    /// <summary>
    /// The snapshot to read <paramref name="need"/> from: the shared one, unless the patch gives some of those values;
    /// then this update's own, made from the shared one and the patch once and kept in its place. Null when the fields
    /// were made (the caller reads them).
    /// </summary>
    private Mapping.ChunkSnapshot? SnapshotFor(Need need, string? name = null)
    {
        if (Volatile.Read(ref _source) is not Mapping.ChunkSnapshot snapshot)
        {
            return null;
        }

        if (_patch == Mapping.SnapshotPatch.None || !snapshot.HasSites)
        {
            return snapshot; // (its own values: not patched, or already made)
        }

        var patched = need switch
        {
            Need.All => true,
            Need.Usage => snapshot.PatchesAny(snapshot.UsageAndFinishFields),
            Need.FinishReason => snapshot.Patches(snapshot.FinishReasonIndex),
            Need.Field => snapshot.Patches(name!),
            _ => throw new System.Diagnostics.UnreachableException(need.ToString()),
        };
        if (!patched)
        {
            return snapshot;
        }

        var own = snapshot.WithPatch(_patch);
        var seen = Interlocked.CompareExchange(ref _source, own, snapshot);
        return ReferenceEquals(seen, snapshot) ? own : seen as Mapping.ChunkSnapshot;
    }

    /// <inheritdoc />
    public override string ToString() => Status is { } status ? $"({status}) {Text}" : EventType is null ? Text : $"[{EventType}] {Text}";

    /// <summary>What a reader of the update needs from its snapshot.</summary>
    private enum Need
    {
        All,
        Usage,
        FinishReason,
        Field,
    }

    /// <summary>Fields given with an event type or a poll step's status.</summary>
    private sealed record Beside(IReadOnlyDictionary<string, JsonElement> Fields, string? EventType, string? Status);
}
