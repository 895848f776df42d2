using System.Text;
using LlmAdapters.Internal;

namespace LlmAdapters.Compilation;

/// <summary>The compiled streaming part of a call: framing, chunk matcher, the paths looked up in every chunk, filters, end marker.</summary>
/// <remarks>
/// Slots of <see cref="Paths"/>: the resp fields' alternatives first (see <see cref="FieldSlots"/>), then one per filter, then the error message and code paths.
/// </remarks>
internal sealed class StreamPlan
{
    /// <summary>The path that names the SSE event type in <c>resp</c> items and <c>chunk_filter</c>s.</summary>
    public const string EventPath = "@event";

    public StreamPlan(StreamFormat format, ChunkMatcher? matcher, string? done, bool doneRequired, bool cumulative, ResponseMap response, IReadOnlyList<ChunkFilter> filters, ErrorMap error)
    {
        Format = format;
        Matcher = matcher;
        Done = done is null ? null : Encoding.UTF8.GetBytes(done);
        DoneText = done;
        DoneRequired = doneRequired;
        Cumulative = cumulative;
        Response = response;
        Filters = filters;
        Error = error;

        var paths = new List<KeyPath?>();
        var fieldSlots = new int[response.Fields.Count][];
        var eventFields = new bool[response.Fields.Count];
        for (var i = 0; i < response.Fields.Count; i++)
        {
            var slots = new List<int>();
            foreach (var path in response.Fields[i].Paths)
            {
                if (IsEvent(path))
                {
                    eventFields[i] = true;
                    continue;
                }

                slots.Add(paths.Count);
                paths.Add(path);
            }

            fieldSlots[i] = [.. slots];
        }

        FilterSlot = paths.Count;
        foreach (var filter in filters)
        {
            paths.Add(IsEvent(filter.Path) ? null : filter.Path);
        }

        ErrorMessageSlots = [.. error.MessagePaths.Select((p, i) => paths.Count + i)];
        paths.AddRange(error.MessagePaths);
        ErrorCodeSlots = [.. error.CodePaths.Select((p, i) => paths.Count + i)];
        paths.AddRange(error.CodePaths);
        Paths = JsonPathSet.Build(paths);

        // The same slots with only what the text needs: the text item's alternatives, the filters and the error paths.
        var textPaths = new List<KeyPath?>(paths);
        for (var i = 0; i < fieldSlots.Length; i++)
        {
            if (i != response.TextIndex)
            {
                foreach (var slot in fieldSlots[i])
                {
                    textPaths[slot] = null;
                }
            }
        }

        TextPaths = JsonPathSet.Build(textPaths);

        // Read for its text only, a chunk is read as far as its text (as a hand-written client reads it). Not with
        // chunk_filters, which may test a key written after the text, nor when the text needs a document.
        TextStopSlot = response.TextIndex >= 0 && filters.Count == 0 && !TextPaths.NeedsDocument && fieldSlots[response.TextIndex].Length > 0
            ? fieldSlots[response.TextIndex][0]
            : -1;
        AllPaths = paths;
        FieldSlots = fieldSlots;
        EventFields = eventFields;
        NeedsEventJson = filters.Count > 0;
        foreach (var isEvent in eventFields)
        {
            NeedsEventJson |= isEvent;
        }
    }

    public StreamFormat Format { get; }

    /// <summary>The compiled <c>chunk_match</c>; null when absent (the whole line, or the SSE data, is the payload).</summary>
    public ChunkMatcher? Matcher { get; }

    /// <summary>The end marker's bytes ("[DONE]" unless the definition names another).</summary>
    public byte[]? Done { get; }

    public string? DoneText { get; }

    /// <summary>True when the definition names <c>stream_done</c>: a body that ends without it is truncated.</summary>
    public bool DoneRequired { get; }

    public bool Cumulative { get; }

    public ResponseMap Response { get; }

    public IReadOnlyList<ChunkFilter> Filters { get; }

    public ErrorMap Error { get; }

    public JsonPathSet Paths { get; }

    /// <summary><see cref="Paths"/> without the items other than the text (same slots, never found): for streams read for their text only.</summary>
    public JsonPathSet TextPaths { get; }

    /// <summary>
    /// With <see cref="TextPaths"/>: the slot of the text item's first alternative, at which the reading of a chunk stops
    /// once its value is found and is not null; -1 when every chunk is read whole (chunk_filters, paths needing a document).
    /// </summary>
    public int TextStopSlot { get; }

    /// <summary>The path of every slot (null for @event and absent error paths), for evaluation over a document when <see cref="JsonPathSet.NeedsDocument"/>.</summary>
    public IReadOnlyList<KeyPath?> AllPaths { get; }

    /// <summary>The slots of each field's alternatives, in order.</summary>
    public int[][] FieldSlots { get; }

    /// <summary>Fields with an <c>@event</c> alternative (used when no other alternative finds a value).</summary>
    public bool[] EventFields { get; }

    /// <summary>True when a field or filter reads the SSE event type, so each chunk's event is kept as JSON.</summary>
    public bool NeedsEventJson { get; }

    public int FilterSlot { get; }

    /// <summary>The slots of the error message path's alternatives.</summary>
    public int[] ErrorMessageSlots { get; }

    /// <summary>The slots of the error code path's alternatives.</summary>
    public int[] ErrorCodeSlots { get; }

    public static bool IsEvent(KeyPath path) => path.Depth == 1 && path.Segments[0].Name == EventPath;
}
