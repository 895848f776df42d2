using System.Text;
using LlmAdapters.Mapping;

namespace LlmAdapters.Streaming;

/// <summary>The compiled streaming part of a call: framing, chunk matcher, the paths looked up in every chunk, filters, end marker.</summary>
/// <remarks>
/// Slots of <see cref="Paths"/>: the one <see cref="SlotLayout"/>, with one extra slot per filter and <c>@event</c> paths out of band.
/// </remarks>
internal sealed class StreamPlan
{
    /// <summary>The path that names the SSE event type in <c>resp</c> items and <c>chunk_filter</c>s.</summary>
    public const string EventPath = "@event";

    public StreamPlan(StreamFormat format, ChunkMatcher? matcher, string? done, bool doneRequired, bool cumulative, ResponseMap response, IReadOnlyList<ChunkFilter> filters, ErrorMap error)
    {
        Format = format;
        Framing = StreamFormats.Of(format);
        Matcher = matcher;
        Done = done is null ? null : Encoding.UTF8.GetBytes(done);
        DoneText = done;
        DoneRequired = doneRequired;
        Cumulative = cumulative;
        Response = response;
        Filters = filters;
        Error = error;

        var layout = new SlotLayout(response, error, [.. filters.Select(f => IsEvent(f.Path) ? null : f.Path)], IsEvent);
        Paths = layout.Paths;
        AllPaths = layout.AllPaths;
        FieldSlots = layout.FieldSlots;
        EventFields = layout.OutOfBandFields;
        FilterSlot = layout.ExtraSlot;
        ErrorMessageSlots = layout.ErrorMessageSlots;
        ErrorCodeSlots = layout.ErrorCodeSlots;
        TextPayloads = Framing.TextPayloads || matcher is not null || response.Fields.Length == 0;
        (ConverterFields, RawConverters, ReadsTheTextsValues) = Converters(response);
        (SlotFields, UncheckedSlots) = SlotRoles(response, layout.Paths.SlotCount, layout.FieldSlots);
        AllFields = [.. Enumerable.Range(0, response.Fields.Length)];
        (SlotChanges, AddingFields) = Kept(response, SlotFields);
        NeedsEventJson = filters.Count > 0;
        foreach (var isEvent in EventFields)
        {
            NeedsEventJson |= isEvent;
        }
    }

    public StreamFormat Format { get; }

    /// <summary>The framing's row of the table: what the engine asks instead of testing <see cref="Format"/>.</summary>
    public Framing Framing { get; }

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

    /// <summary>
    /// True when a payload that is not JSON is text (SSE data, raw text, a chunk_match capture, a call that maps nothing);
    /// false for NDJSON lines and JSON-array elements read through resp items, where such a payload is an error.
    /// </summary>
    public bool TextPayloads { get; }

    /// <summary>Per slot: the item it is a path of (SlotLayout gives each path its own), or -1.</summary>
    public int[] SlotFields { get; }

    /// <summary>
    /// Per slot: true when the decoder's check of every string's UTF-8 leaves it out. The text item's alternatives are
    /// decoded anyway; a tool_call item's are not checked as a whole, since the accumulator decodes the strings it reads
    /// (id, name, arguments), so one of those that is not text fails the chunk, and the rest of the value (Anthropic's
    /// "$" is the whole chunk) is read by nothing, under StreamAsync (which reads no tool call) as under CallAsync.
    /// </summary>
    public bool[] UncheckedSlots { get; }

    private static (int[] SlotFields, bool[] NotChecked) SlotRoles(ResponseMap response, int slotCount, int[][] fieldSlots)
    {
        var slotFields = new int[slotCount];
        slotFields.AsSpan().Fill(-1);
        var notChecked = new bool[slotCount];
        for (var i = 0; i < response.Fields.Length; i++)
        {
            foreach (var slot in fieldSlots[i])
            {
                slotFields[slot] = i;
                notChecked[slot] |= i == response.TextIndex || response.Fields[i].ToolCall is not null;
            }
        }

        return (slotFields, notChecked);
    }

    /// <summary>
    /// Per slot: which of the values a chunk keeps it is a path of (<see cref="SlotChange.None"/> for the text, a
    /// tool_call item and the error paths). A chunk in which no slot of a kind changed has every such value of the chunk
    /// before.
    /// </summary>
    public SlotChange[] SlotChanges { get; }

    /// <summary>
    /// The items other than the text whose every chunk adds to their value (tool_call pieces, joined items): kept per
    /// chunk even when no other value changed.
    /// </summary>
    public int[] AddingFields { get; }

    /// <summary>Every item's index, in order (what <see cref="AddingFields"/> narrows).</summary>
    public int[] AllFields { get; }

    private static (SlotChange[] SlotChanges, int[] AddingFields) Kept(ResponseMap response, int[] slotFields)
    {
        var changes = new SlotChange[slotFields.Length];
        for (var slot = 0; slot < slotFields.Length; slot++)
        {
            var i = slotFields[slot];
            changes[slot] = i < 0 || i == response.TextIndex || response.Fields[i].ToolCall is not null ? SlotChange.None
                : response.Fields[i].Join ? SlotChange.Joined
                : SlotChange.Set;
        }

        var adding = new List<int>();
        for (var i = 0; i < response.Fields.Length; i++)
        {
            if (i != response.TextIndex && (response.Fields[i].ToolCall is not null || response.Fields[i].Join))
            {
                adding.Add(i);
            }
        }

        return (changes, [.. adding]);
    }

    /// <summary>The items other than the text that have a converter (checked in every chunk, however the stream is read).</summary>
    public int[] ConverterFields { get; }

    /// <summary>Per <see cref="ConverterFields"/> entry: its converter, when it reads raw JSON (<see cref="IRawTextConverter"/>).</summary>
    public IRawTextConverter?[] RawConverters { get; }

    /// <summary>Per item: true when its converter reads the same values as the text's converter (<see cref="IRawTextConverter.ReadsTheSameValuesAs"/>).</summary>
    public bool[] ReadsTheTextsValues { get; }

    private static (int[] Fields, IRawTextConverter?[] Raw, bool[] SameAsText) Converters(ResponseMap response)
    {
        var count = 0;
        for (var i = 0; i < response.Fields.Length; i++)
        {
            count += i != response.TextIndex && response.Fields[i].Converter is not null ? 1 : 0;
        }

        var fields = new int[count];
        var raw = new IRawTextConverter?[count];
        var sameAsText = new bool[response.Fields.Length];
        var textConverter = response.TextIndex >= 0 ? response.Fields[response.TextIndex].Converter as IRawTextConverter : null;
        count = 0;
        for (var i = 0; i < response.Fields.Length; i++)
        {
            if (i != response.TextIndex && response.Fields[i].Converter is { } converter)
            {
                fields[count] = i;
                raw[count] = converter as IRawTextConverter;
                sameAsText[i] = raw[count] is { } reader && textConverter is not null && reader.ReadsTheSameValuesAs(textConverter);
                count++;
            }
        }

        return (fields, raw, sameAsText);
    }

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
