using System.Text;
using LlmAdapters.Internal;

namespace LlmAdapters.Compilation;

/// <summary>The compiled streaming part of a call: framing, chunk matcher, the paths looked up in every chunk, filters, end marker.</summary>
/// <remarks>
/// Slots of <see cref="Paths"/>: the resp fields first (slot = field index), then one per filter, then the error message and code paths.
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
        var eventSlots = new List<int>();
        foreach (var field in response.Fields)
        {
            paths.Add(IsEvent(field.Path) ? null : field.Path);
            if (IsEvent(field.Path))
            {
                eventSlots.Add(paths.Count - 1);
            }
        }

        FilterSlot = paths.Count;
        foreach (var filter in filters)
        {
            paths.Add(IsEvent(filter.Path) ? null : filter.Path);
        }

        ErrorMessageSlot = paths.Count;
        paths.Add(error.MessagePath);
        ErrorCodeSlot = paths.Count;
        paths.Add(error.CodePath);
        Paths = JsonPathSet.Build(paths);
        AllPaths = paths;
        EventSlots = [.. eventSlots];
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

    /// <summary>The path of every slot (null for @event and absent error paths), for evaluation over a document when <see cref="JsonPathSet.NeedsDocument"/>.</summary>
    public IReadOnlyList<KeyPath?> AllPaths { get; }

    /// <summary>Field slots whose path is <c>@event</c>.</summary>
    public int[] EventSlots { get; }

    public int FilterSlot { get; }

    public int ErrorMessageSlot { get; }

    public int ErrorCodeSlot { get; }

    public static bool IsEvent(KeyPath path) => path.Depth == 1 && path.Segments[0].Name == EventPath;
}
