using System.Runtime.InteropServices;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

/// <summary>
/// The <c>resp</c> values of one stream chunk, kept as raw JSON bytes for a <see cref="LlmStreamUpdate"/> and turned into
/// JSON elements only when the update's fields are read. Consecutive chunks whose values are the same (an OpenAI
/// stream repeats <c>id</c> and <c>model</c> in every chunk, and its text item is taken from the update's own text)
/// share one snapshot, so that a metadata stream allocates per chunk little more than the update itself.
/// </summary>
/// <remarks>Immutable once made; its lazily computed usage and finish reason are safe to read from any thread.</remarks>
internal sealed class ChunkSnapshot
{
    /// <summary>Marks a field whose value is the update's text as a JSON string (the text item without a converter).</summary>
    public const int FromText = -2;

    public const int Absent = -1;

    /// <summary>Marks the text item of a cumulative stream: the whole text so far, kept as a prefix of an append-only buffer (see <see cref="Of"/>).</summary>
    public const int FromWholeText = -3;

    private readonly ResponseMap _map;
    private readonly string _callDescription;
    // One array, so that a snapshot is two objects: per field two ints, where its value starts among the values (or its
    // mark: Absent, FromText, FromWholeText) and its length, then the values' bytes (MemoryMarshal.AsBytes of the rest).
    private readonly int[] _data;
    private Dictionary<string, JsonElement>? _others; // the values other than the text item, made once
    private LlmUsage? _usage;
    private string? _finishReason;
    private int _computed; // 1 once _usage and _finishReason are set
    private string?[]? _texts; // per field: its value as text, made on first read (see TextOf)
    private TextSoFar _wholeText; // FromWholeText's text
    // What later chunks patch (see SnapshotPatch): per site its field, where its integer starts in the field's value and
    // its length; or, for a cumulative stream's text item, the field, WholeTextSite and 0: the whole text's count of pieces.
    private readonly int[]? _sites;
    private readonly ulong _patchedFields; // bit i: field i (of the first 64) has a site

    /// <summary>A site's start that stands for the length (in pieces) of a cumulative stream's whole text (see <see cref="TryPatchWholeText"/>).</summary>
    public const int WholeTextSite = -1;

    private ChunkSnapshot(ResponseMap map, string callDescription, int[] data, string? eventType, int[]? sites)
    {
        _map = map;
        _callDescription = callDescription;
        _data = data;
        EventType = eventType;
        _sites = sites;
        for (var s = 0; sites is not null && s < sites.Length; s += 3)
        {
            _patchedFields |= sites[s] < 64 ? 1UL << sites[s] : 0;
        }
    }

    /// <summary>The SSE event type of the chunk (chunks of another type do not share a snapshot), or null.</summary>
    public string? EventType { get; }

    /// <summary>True when later chunks may be given as this snapshot and a patch (see <see cref="SnapshotPatch"/>).</summary>
    public bool HasSites => _sites is not null;

    private int Count => _map.Fields.Length;

    /// <summary>Field <paramref name="i"/>'s mark, or where its value starts among the values.</summary>
    private int Start(int i) => _data[2 * i];

    /// <summary>Field <paramref name="i"/>'s value (empty for a mark).</summary>
    private ReadOnlySpan<byte> Raw(int i)
    {
        var start = _data[2 * i];
        return start < 0 ? default : MemoryMarshal.AsBytes(_data.AsSpan(2 * Count)).Slice(start, _data[(2 * i) + 1]);
    }

    /// <summary>
    /// The snapshot of a chunk whose values are laid out in <paramref name="layout"/> as a snapshot keeps them: per field
    /// two ints, where its value starts among the values and its length, or its mark (<see cref="Absent"/>: absent or
    /// null; <see cref="FromText"/>: the update's text; <see cref="FromWholeText"/>) and 0; then the values' bytes
    /// (<see cref="MemoryMarshal.AsBytes{T}(Span{T})"/> of the ints that follow). <paramref name="previous"/> itself when
    /// every value is the same as there, else a new snapshot.
    /// </summary>
    /// <remarks>
    /// <paramref name="wholeText"/>, for a field marked <see cref="FromWholeText"/>: the text so far, as a count of the
    /// pieces in a log that is only ever appended to (so it is shared by every snapshot of the stream, and the whole text
    /// is not copied per chunk).
    /// </remarks>
    public static ChunkSnapshot Of(ChunkSnapshot? previous, ResponseMap map, string callDescription, ReadOnlySpan<int> layout, string? eventType, TextSoFar wholeText = default, int[]? sites = null)
    {
        if (previous is not null && previous.Matches(layout) && previous._wholeText.Equals(wholeText) && string.Equals(previous.EventType, eventType, StringComparison.Ordinal))
        {
            return previous;
        }

        return Make(previous, map, callDescription, layout, wholeText, eventType, sites);
    }

    /// <summary>
    /// A new snapshot of values laid out as for <see cref="Of"/>, known to differ from <paramref name="previous"/>'s (the
    /// caller compared them), which lends it what it computed from the values that are the same. <paramref name="sites"/>:
    /// the integers that later chunks may patch (see <see cref="SnapshotPatch"/>), or null.
    /// </summary>
    public static ChunkSnapshot New(ChunkSnapshot previous, ResponseMap map, string callDescription, ReadOnlySpan<int> layout, string? eventType, int[]? sites)
        => Make(previous, map, callDescription, layout, default, eventType, sites);

    private static ChunkSnapshot Make(ChunkSnapshot? previous, ResponseMap map, string callDescription, ReadOnlySpan<int> layout, TextSoFar wholeText, string? eventType, int[]? sites)
    {
        var snapshot = new ChunkSnapshot(map, callDescription, layout.ToArray(), eventType, sites) { _wholeText = wholeText };
        if (previous is not null)
        {
            snapshot.Inherit(previous);
        }

        return snapshot;
    }

    private bool Matches(ReadOnlySpan<int> layout)
    {
        var values = MemoryMarshal.AsBytes(layout[(2 * Count)..]);
        for (var i = 0; i < Count; i++)
        {
            if (!SameValue(i, values, layout[2 * i], layout[(2 * i) + 1]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when field <paramref name="i"/> has here the value that <paramref name="start"/> and <paramref name="length"/> give in <paramref name="values"/>.</summary>
    private bool SameValue(int i, ReadOnlySpan<byte> values, int start, int length)
    {
        int mine = Start(i);
        return mine < 0 || start < 0 ? mine == start : values.Slice(start, length).SequenceEqual(Raw(i));
    }

    /// <summary>True when field <paramref name="i"/> has here the value (or mark) it has in <paramref name="other"/>.</summary>
    private bool SameValue(int i, ChunkSnapshot other)
    {
        int mine = Start(i), theirs = other.Start(i);
        return mine < 0 || theirs < 0 ? mine == theirs : Raw(i).SequenceEqual(other.Raw(i));
    }

    /// <summary>
    /// Takes over what <paramref name="previous"/> already computed from values that are the same here (a stream whose
    /// text item is read through a converter, such as Gemini's parts, makes a snapshot per chunk, while its usage, model
    /// and id stay the same): computed from the same bytes, it is the same.
    /// </summary>
    private void Inherit(ChunkSnapshot previous)
    {
        if (Volatile.Read(ref previous._computed) == 1 && SameValues(_map.UsageAndFinishFields, previous))
        {
            (_usage, _finishReason) = (previous._usage, previous._finishReason);
            _computed = 1;
        }

        var finish = _map.FinishReasonIndex;
        if (Volatile.Read(ref previous._finishReasonRead) == 1 && (finish < 0 || SameValue(finish, previous)))
        {
            _finishReasonAlone = previous._finishReasonAlone;
            _finishReasonRead = 1;
        }

        if (Volatile.Read(ref previous._texts) is { } texts)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                if (texts[i] is { } text && Start(i) != FromWholeText && SameValue(i, previous))
                {
                    // (Not (_texts ??= ...)[i] = text: the net8.0 trimming analyzer crashes on that form, AD0001.)
                    _texts ??= new string?[Count];
                    _texts[i] = text;
                }
            }
        }
    }

    /// <summary>True when every field of <paramref name="fields"/> has here the value it has in <paramref name="other"/> (a loop: this runs per new snapshot).</summary>
    private bool SameValues(int[] fields, ChunkSnapshot other)
    {
        foreach (var i in fields)
        {
            if (!SameValue(i, other))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when field <paramref name="i"/> holds one of the integers that a patch gives.</summary>
    public bool Patches(int i) => i is >= 0 and < 64 ? (_patchedFields & (1UL << i)) != 0 : PatchesBeyond64(i);

    private bool PatchesBeyond64(int i)
    {
        if (_sites is { } sites)
        {
            for (var s = 0; s < sites.Length; s += 3)
            {
                if (sites[s] == i)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when one of <paramref name="fields"/> holds an integer that a patch gives.</summary>
    public bool PatchesAny(int[] fields)
    {
        foreach (var i in fields)
        {
            if (Patches(i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the field <paramref name="name"/> holds an integer that a patch gives.</summary>
    public bool Patches(string name) => _sites is not null && _map.IndexOf(name) is var index and >= 0 && Patches(index);

    /// <summary>The fields that usage and the finish reason are read from.</summary>
    public int[] UsageAndFinishFields => _map.UsageAndFinishFields;

    /// <summary>The finish reason's field, or -1.</summary>
    public int FinishReasonIndex => _map.FinishReasonIndex;

    /// <summary>
    /// Checks field <paramref name="i"/>'s value in a later chunk (<paramref name="current"/>) against this snapshot's: true
    /// when every byte is the same but the canonical integers at this snapshot's sites in the field, whose values are
    /// then set in <paramref name="patch"/>.
    /// </summary>
    public bool TryPatch(int i, ReadOnlySpan<byte> current, ref long patch)
    {
        var sites = _sites!;
        var count = sites.Length / 3;
        var maxDigits = SnapshotPatch.MaxDigits(count);
        var raw = Raw(i);
        int at = 0, atCurrent = 0;
        for (var site = 0; site < count; site++)
        {
            if (sites[3 * site] != i || sites[(3 * site) + 1] == WholeTextSite)
            {
                continue;
            }

            // The bytes since the site before are the same; then an integer where this snapshot has one.
            var (start, length) = (sites[(3 * site) + 1], sites[(3 * site) + 2]);
            var same = start - at;
            if (current.Length - atCurrent < same || !current.Slice(atCurrent, same).SequenceEqual(raw.Slice(at, same))
                || !SnapshotPatch.TryReadInt(current[(atCurrent + same)..], maxDigits, out var value, out var digits))
            {
                return false;
            }

            patch = SnapshotPatch.With(patch, site, count, value);
            atCurrent += same + digits;
            at = start + length;
        }

        return current[atCurrent..].SequenceEqual(raw[at..]);
    }

    /// <summary>
    /// For a cumulative stream's text item: true when this snapshot's whole text is a prefix of <paramref name="log"/>
    /// (the stream's append-only pieces, not rewritten since) and the whole text's <paramref name="length"/> (its count of
    /// pieces) fits the patch, which then holds it.
    /// </summary>
    public bool TryPatchWholeText(PieceLog log, int length, ref long patch)
    {
        var sites = _sites!;
        var count = sites.Length / 3;
        for (var site = 0; site < count; site++)
        {
            if (sites[(3 * site) + 1] == WholeTextSite)
            {
                if (_wholeText.Log != log || length > SnapshotPatch.MaxValue(count))
                {
                    return false;
                }

                patch = SnapshotPatch.With(patch, site, count, length);
                return true;
            }
        }

        return false;
    }

    /// <summary>True when this snapshot's whole text (a cumulative stream's) is a prefix of <paramref name="log"/>.</summary>
    public bool SharesWholeText(PieceLog log) => _wholeText.Log == log;

    /// <summary>
    /// The snapshot of a chunk given as this one and <paramref name="patch"/>: this one's values with the patch's integers
    /// written at the sites (and its whole text's count of pieces), in a snapshot of its own (made when such an update's patched
    /// values are first read).
    /// </summary>
    public ChunkSnapshot WithPatch(long patch)
    {
        var sites = _sites!;
        var count = sites.Length / 3;
        var values = MemoryMarshal.AsBytes(_data.AsSpan(2 * Count));
        var layout = new int[_data.Length + (count * 5)]; // an integer of a patch has at most 18 digits, 20 bytes more than the shortest
        var bytes = MemoryMarshal.AsBytes(layout.AsSpan(2 * Count));
        var used = 0;
        for (var i = 0; i < Count; i++)
        {
            var start = Start(i);
            if (start < 0)
            {
                layout[2 * i] = start;
                continue;
            }

            // The value, copied up to each site in it, the patch's integer written in place of the one there.
            var raw = values.Slice(start, _data[(2 * i) + 1]);
            layout[2 * i] = used;
            var at = 0;
            for (var site = 0; site < count; site++)
            {
                if (sites[3 * site] == i && sites[(3 * site) + 1] != WholeTextSite)
                {
                    var siteStart = sites[(3 * site) + 1];
                    raw[at..siteStart].CopyTo(bytes[used..]);
                    used += siteStart - at;
                    used += SnapshotPatch.Write(SnapshotPatch.ValueAt(patch, site, count), bytes[used..]);
                    at = siteStart + sites[(3 * site) + 2];
                }
            }

            raw[at..].CopyTo(bytes[used..]);
            used += raw.Length - at;
            layout[(2 * i) + 1] = used - layout[2 * i];
        }

        var wholeText = _wholeText;
        for (var site = 0; site < count; site++)
        {
            if (sites[(3 * site) + 1] == WholeTextSite)
            {
                wholeText = _wholeText with { Count = (int)SnapshotPatch.ValueAt(patch, site, count) };
            }
        }

        return Make(this, _map, _callDescription, layout.AsSpan(0, (2 * Count) + ((used + 3) / 4)), wholeText, EventType, null);
    }

    /// <summary>The fields as an update shows them: every non-null value, converted, the text item as <paramref name="text"/>.</summary>
    /// <exception cref="LlmException">A converter rejected a value.</exception>
    public Dictionary<string, JsonElement> Fields(string text)
    {
        var others = Others();
        var result = new Dictionary<string, JsonElement>(others.Count + 1, StringComparer.Ordinal);
        for (var i = 0; i < Count; i++)
        {
            var name = _map.Fields[i].Name;
            if (Start(i) == FromText)
            {
                result[name] = JsonValues.String(text);
            }
            else if (Start(i) == FromWholeText)
            {
                result[name] = JsonValues.String(WholeText());
            }
            else if (others.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                result[name] = value; // (a value that a converter made null is no value, as in the raw shortcut)
            }
        }

        return result;
    }

    /// <summary>
    /// The field <paramref name="name"/> as a string, where that needs no document: absent or null (null), the update's
    /// text, a cumulative stream's whole text, or a JSON string that no converter reads. False otherwise (the caller then
    /// reads <see cref="Fields"/>).
    /// </summary>
    public bool TryGetString(string name, string text, out string? value)
    {
        value = null;
        var index = _map.IndexOf(name);
        if (index < 0 || Start(index) == Absent)
        {
            return true;
        }

        switch (Start(index))
        {
            case FromText:
                value = text;
                return true;
            case FromWholeText:
                value = WholeText();
                return true;
        }

        var field = _map.Fields[index];
        if (field.Converter is null && field.ToolCall is null && Raw(index)[0] == (byte)'"')
        {
            value = TextOf(name);
            return true;
        }

        return false;
    }

    /// <summary>Field <paramref name="index"/>'s mark: <see cref="FromText"/>, <see cref="FromWholeText"/>, <see cref="Absent"/>, or where its value starts here (0 or more).</summary>
    public int MarkOf(int index) => Start(index);

    /// <summary>Field <paramref name="index"/>'s raw value here (empty unless <see cref="MarkOf"/> is 0 or more).</summary>
    public ReadOnlySpan<byte> ValueOf(int index) => Raw(index);

    /// <summary>True when the field <paramref name="name"/> is the update's own text.</summary>
    public bool IsFromText(string name) => _map.IndexOf(name) is var index and >= 0 && Start(index) == FromText;

    /// <summary>
    /// True when field <paramref name="name"/>'s value is the update's text or a cumulative stream's whole text (so that it
    /// differs between updates that share this snapshot). Only the text item carries those marks: its name is compared,
    /// without a lookup.
    /// </summary>
    public bool IsFromAnyText(string name)
        => _map.TextIndex is var index and >= 0 && Start(index) is FromText or FromWholeText && string.Equals(_map.Fields[index].Name, name, StringComparison.Ordinal);

    /// <summary>Token usage, when this chunk carries it.</summary>
    public LlmUsage? Usage
    {
        get
        {
            Compute();
            return _usage;
        }
    }

    /// <summary>The finish reason, when this chunk carries it.</summary>
    public string? FinishReason
    {
        get
        {
            if (Volatile.Read(ref _computed) == 1)
            {
                return _finishReason;
            }

            if (Volatile.Read(ref _finishReasonRead) == 0)
            {
                _finishReasonAlone = ComputeFinishReason();
                Volatile.Write(ref _finishReasonRead, 1);
            }

            return _finishReasonAlone;
        }
    }

    private string? _finishReasonAlone;
    private int _finishReasonRead; // 1 once _finishReasonAlone is set

    /// <summary>
    /// The text of the field <paramref name="name"/> when it is a JSON string or number (as <c>JsonValues.ToText</c> gives
    /// it), else null; made once per snapshot, so that the chunks sharing it (an OpenAI stream's id and model) cost nothing
    /// more. The text item read from the update's text is not here: the caller has it.
    /// </summary>
    public string? TextOf(string name)
    {
        var index = _map.IndexOf(name);
        if (index >= 0 && Start(index) == FromWholeText)
        {
            return WholeText();
        }

        if (index < 0 || Start(index) < 0)
        {
            return null;
        }

        if (Volatile.Read(ref _texts) is null)
        {
            Interlocked.CompareExchange(ref _texts, new string?[Count], null);
        }

        var texts = _texts!;
        if (texts[index] is { } made)
        {
            return made;
        }

        var raw = Raw(index);
        var field = _map.Fields[index];
        string? text;
        if (field.Converter is null && field.ToolCall is null && raw[0] == (byte)'"')
        {
            text = JsonStrings.Decode(raw); // the usual id or model: no document
        }
        else
        {
            var value = _others?[name] ?? ResponseMap.Convert(field, JsonValues.Parse(raw), _callDescription);
            text = value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? JsonValues.ToText(value) : null;
        }

        texts[index] = text; // a reference write: two threads may both make it, equal
        return text;
    }

    /// <summary>The whole text so far of a cumulative stream's text item, made on each read (an update is read once, as a rule).</summary>
    private string WholeText() => _wholeText.ToString();

    private void Compute()
    {
        if (Volatile.Read(ref _computed) == 1)
        {
            return;
        }

        // Only the items that usage and the finish reason are read from: a chunk's other values (the parts of its text,
        // its tool-call pieces) are not made into documents for them.
        var fields = Volatile.Read(ref _others) ?? ValuesOf(_map.UsageAndFinishFields);
        _usage = ResponseMap.UsageFrom(fields);
        _finishReason = ResponseMap.FinishReasonFrom(fields);
        Volatile.Write(ref _computed, 1);
    }

    /// <summary>The finish reason alone (read by a consumer watching for the end): its one item, no usage document.</summary>
    private string? ComputeFinishReason()
    {
        var index = _map.FinishReasonIndex;
        if (index < 0 || Start(index) < 0)
        {
            return null;
        }

        var field = _map.Fields[index];
        var raw = Raw(index);
        return field.Converter is null && raw[0] == (byte)'"'
            ? JsonStrings.Decode(raw)
            : ResponseMap.FinishReasonFrom(ValuesOf([index]));
    }

    private Dictionary<string, JsonElement> ValuesOf(int[] indexes)
    {
        var fields = new Dictionary<string, JsonElement>(indexes.Length, StringComparer.Ordinal);
        foreach (var i in indexes)
        {
            if (Start(i) >= 0)
            {
                fields[_map.Fields[i].Name] = ResponseMap.Convert(_map.Fields[i], JsonValues.Parse(Raw(i)), _callDescription);
            }
        }

        return fields;
    }

    private Dictionary<string, JsonElement> Others()
    {
        if (Volatile.Read(ref _others) is { } made)
        {
            return made;
        }

        var result = new Dictionary<string, JsonElement>(Count, StringComparer.Ordinal);
        for (var i = 0; i < Count; i++)
        {
            if (Start(i) >= 0)
            {
                var field = _map.Fields[i];
                result[field.Name] = ResponseMap.Convert(field, JsonValues.Parse(Raw(i)), _callDescription);
            }
        }

        // Two threads may both make it; they make equal dictionaries, and either may be kept.
        return Interlocked.CompareExchange(ref _others, result, null) ?? result;
    }
}
