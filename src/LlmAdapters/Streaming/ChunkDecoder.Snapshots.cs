using System.Runtime.InteropServices;
using LlmAdapters.Mapping;

namespace LlmAdapters.Streaming;

/// <summary>
/// A chunk's values for a <see cref="LlmStreamUpdate"/>: shared with the chunk before when they are the same, given as
/// its snapshot and a patch when they differ only in integers (<see cref="SnapshotPatch"/>), else a snapshot of their own.
/// </summary>
internal sealed partial class ChunkDecoder
{
    // StreamUpdatesAsync: the last chunk's snapshot (shared by the next chunks while their values stay the same), and
    // scratch space where the current chunk's values are gathered to be compared with it.
    private ChunkSnapshot? _snapshot;
    private int _snapshotAt; // the chunk whose snapshot _snapshot is
    private long _lastPatch; // the patch given with _snapshot for that chunk (SnapshotPatch.None: its own values)
    private int[] _snapshotData = []; // a new snapshot's layout and values, gathered (see ChunkSnapshot.Of)

    /// <summary>
    /// The current chunk's values for a <see cref="LlmStreamUpdate"/>: the previous chunk's snapshot when they are the
    /// same; that snapshot and a <paramref name="patch"/> when they differ only in integers at its sites (see
    /// <see cref="SnapshotPatch"/>); else a new one (its converters run now, so that a value a converter rejects fails
    /// the stream here).
    /// </summary>
    /// <exception cref="LlmException">A converter rejected a value.</exception>
    public ChunkSnapshot CurrentSnapshot(ReadOnlySpan<byte> payload, out long patch)
    {
        payload = TrimWhiteSpace(payload); // the slots were found in the trimmed payload, as Decode read it
        var before = _snapshot is not null && _snapshotAt == _chunks - 1 ? _snapshot : null;
        var compared = before is not null && !_plan.Cumulative && !_eventChanged; // (a cumulative stream's text item is the whole text so far)
        var patchable = before is not null && !_eventChanged && PatchesSnapshots;
        if (patchable && before!.HasSites && TryPatch(before, payload, out patch))
        {
            // Only integers at its sites differ from that snapshot (a usage sent with every chunk), and a cumulative
            // stream's whole text has grown in the same log: that snapshot again, with this chunk's integers and count
            // of pieces.
            // (First: a chunk whose values are all the chunk before's is given so too, with the same integers.)
            _snapshotAt = _chunks;
            _lastPatch = patch;
            return before;
        }

        if (compared && SameAsChunkBefore(payload))
        {
            // Every value is the chunk before's (the usual chunk of text): its snapshot and patch, without gathering the values.
            _snapshotAt = _chunks;
            patch = _lastPatch;
            return before!;
        }

        // Gathered as the snapshot keeps them (see ChunkSnapshot.Of): per item two ints, then the values' bytes. An
        // item whose bytes are those of the chunk before has the value, or mark, that the snapshot of that chunk holds:
        // taken from there instead of being looked up again (the text, whose mark depends on this chunk's, excepted).
        var valuesAt = 2 * _fieldCount;
        if (_snapshotData.Length == 0)
        {
            _snapshotData = new int[valuesAt + 64];
        }

        var textIndex = _plan.Response.TextIndex;
        var used = 0;
        for (var i = 0; i < _fieldCount; i++)
        {
            int mark;
            ReadOnlySpan<byte> raw;
            if (before is not null && i != textIndex && IsUnchanged(i) && _plan.Response.Fields[i].ToolCall is null && !(_lastPatch != SnapshotPatch.None && before.Patches(i)))
            {
                mark = before.MarkOf(i);
                raw = before.ValueOf(i);
                mark = mark >= 0 ? Gathered : mark;
            }
            else
            {
                mark = Mark(i, payload, out raw);
            }

            if (mark != Gathered)
            {
                _snapshotData[2 * i] = mark;
                _snapshotData[(2 * i) + 1] = 0;
                continue;
            }

            var need = valuesAt + ((used + raw.Length + 3) / 4);
            if (_snapshotData.Length < need)
            {
                Array.Resize(ref _snapshotData, need * 2);
            }

            raw.CopyTo(MemoryMarshal.AsBytes(_snapshotData.AsSpan(valuesAt))[used..]);
            _snapshotData[2 * i] = used;
            _snapshotData[(2 * i) + 1] = raw.Length;
            used += raw.Length;
        }

        // After SameAsChunkBefore said no, some item differs from the snapshot of the chunk before: a new one is made
        // without comparing them again. Else (no snapshot of the chunk before, a cumulative stream) Of compares.
        var layout = _snapshotData.AsSpan(0, valuesAt + ((used + 3) / 4));
        var snapshot = compared
            ? ChunkSnapshot.New(before!, _plan.Response, _callDescription, layout, EventType, patchable ? Sites(before!, layout) : null)
            : ChunkSnapshot.Of(_snapshot, _plan.Response, _callDescription, layout, EventType, _cumulative?.Whole ?? default, patchable ? Sites(before!, layout) : null);
        if (!ReferenceEquals(snapshot, _snapshot))
        {
            CheckConverters(payload);
            _snapshot = snapshot;
        }

        _snapshotAt = _chunks;
        _lastPatch = patch = SnapshotPatch.None;
        return snapshot;
    }

    /// <summary>
    /// True when every value of this chunk is <paramref name="before"/>'s but for canonical integers at its sites, whose
    /// values are then in <paramref name="patch"/>.
    /// </summary>
    private bool TryPatch(ChunkSnapshot before, ReadOnlySpan<byte> payload, out long patch)
    {
        patch = SnapshotPatch.None;
        for (var i = 0; i < _fieldCount; i++)
        {
            if (_plan.Response.Fields[i].ToolCall is not null)
            {
                continue; // (never in a snapshot)
            }

            if (!before.Patches(i))
            {
                // The same as there: unchanged since the chunk before (whose value it was, patched or not), or compared
                // (but a whole text whose length no patch gives is the snapshot's alone, whatever the mark says).
                if (before.MarkOf(i) == ChunkSnapshot.FromWholeText || (!(i != _plan.Response.TextIndex && IsUnchanged(i)) && !SameAsInSnapshot(i, payload)))
                {
                    return false;
                }

                continue;
            }

            var mark = Mark(i, payload, out var raw);
            if (mark == ChunkSnapshot.FromWholeText)
            {
                // A cumulative stream's whole text so far: the same log of pieces, longer.
                if (before.MarkOf(i) != ChunkSnapshot.FromWholeText || !before.TryPatchWholeText(_cumulative!.Pieces!, _cumulative.Pieces!.Count, ref patch))
                {
                    return false;
                }
            }
            else if (mark != Gathered || !before.TryPatch(i, raw, ref patch))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The sites of a new snapshot (<paramref name="layout"/>) made right after <paramref name="before"/>: the integers in
    /// which alone their values differ, where no converter reads them, and a cumulative stream's whole text when it grew
    /// in place (so that a chunk that changes only those is given as the new snapshot and a patch); null when anything
    /// else differs.
    /// </summary>
    private int[]? Sites(ChunkSnapshot before, ReadOnlySpan<int> layout)
    {
        Span<int> sites = stackalloc int[3 * SnapshotPatch.MaxSites];
        var count = 0;
        var values = MemoryMarshal.AsBytes(layout[(2 * _fieldCount)..]);
        for (var i = 0; i < _fieldCount; i++)
        {
            var (start, mark) = (layout[2 * i], before.MarkOf(i));
            if (start < 0 || mark < 0)
            {
                if (start != mark)
                {
                    return null;
                }

                continue;
            }

            var value = values.Slice(start, layout[(2 * i) + 1]);
            var old = before.ValueOf(i);
            if (!value.SequenceEqual(old)
                && (_plan.Response.Fields[i].Converter is not null || _plan.Response.Fields[i].ToolCall is not null
                    || value[0] is not ((byte)'{' or (byte)'[' or (>= (byte)'0' and <= (byte)'9')) || !SnapshotPatch.TryFindSites(i, old, value, sites, ref count)))
            {
                return null;
            }
        }

        var textIndex = _plan.Response.TextIndex;
        if (textIndex >= 0 && layout[2 * textIndex] == ChunkSnapshot.FromWholeText)
        {
            // A cumulative stream's whole text: its count of pieces is patched, when it grows in the same log; else no patch holds it.
            if (count == SnapshotPatch.MaxSites || !before.SharesWholeText(_cumulative!.Pieces!))
            {
                return null;
            }

            sites[3 * count] = textIndex;
            sites[(3 * count) + 1] = ChunkSnapshot.WholeTextSite;
            sites[(3 * count) + 2] = 0;
            count++;
        }

        return count == 0 ? null : sites[..(3 * count)].ToArray();
    }

    /// <summary>A field's mark in a snapshot of this chunk (see <see cref="ChunkSnapshot.MarkOf"/>), or <see cref="Gathered"/> when its value (<paramref name="raw"/>) is to be copied into it.</summary>
    private int Mark(int i, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> raw)
    {
        if (ConvertedToNullHere(i))
        {
            // Its converter made JSON null of its value in this chunk already (Gemini's thoughts in a chunk of text): no
            // value, as below, without looking it up again.
            raw = default;
            return ChunkSnapshot.Absent;
        }

        if (_skipped[i] || _plan.Response.Fields[i].ToolCall is not null || !TryField(i, payload, out raw) || IsNull(raw))
        {
            // (A chunk's pieces of tool calls are not calls: they come whole in the stream's last update.)
            raw = default;
            return ChunkSnapshot.Absent;
        }

        if (i == _plan.Response.TextIndex && Text is not null && _plan.Cumulative && _plan.Response.HasNamedText && _textField!.Converter is null && raw[0] == (byte)'"')
        {
            // The whole text so far, as the chunk says it: the first pieces of the append-only log, not a copy.
            return ChunkSnapshot.FromWholeText;
        }

        if (i == _plan.Response.TextIndex && Text is not null && !_plan.Cumulative && _plan.Response.HasNamedText
            && (_textField!.Converter is null ? raw[0] == (byte)'"' : _textField.Converter is IRawTextConverter { GivesString: true }))
        {
            // The text is the update's own (unescaped, or what the converter made of the value, a JSON string): not
            // copied again, and chunks that differ only in it share a snapshot.
            return ChunkSnapshot.FromText;
        }

        if (_plan.Response.Fields[i].Converter is IRawTextConverter rawConverter
            && rawConverter.TryConvertText(raw, wantText: false, out var converted, out _, out _) && converted is null)
        {
            // Converted to JSON null (Gemini's thoughts in a chunk without any): no value, as an absent one.
            return ChunkSnapshot.Absent;
        }

        return Gathered;
    }

    private const int Gathered = int.MinValue;

    /// <summary>
    /// True when every item of this chunk has the mark, and the value, that it has in the snapshot of the chunk before
    /// (called only when there is one): an item whose slots hold the chunk before's bytes
    /// (<see cref="ScanMemo.IsUnchanged"/>) without a look; the others compared. Then that snapshot is this chunk's too;
    /// when false, some item differs from it.
    /// </summary>
    private bool SameAsChunkBefore(ReadOnlySpan<byte> payload)
    {
        // The items whose slots changed are compared: all of them unless the decoder knows which kinds did not change
        // (the usual chunk: none but the text, or with it a joined item's piece, as Gemini's parts).
        var textIndex = _plan.Response.TextIndex;
        ReadOnlySpan<int> fields = _unchanged switch
        {
            SlotChange.Joined | SlotChange.Set => [],
            SlotChange.Set => _plan.AddingFields,
            SlotChange.Joined or SlotChange.None => _plan.AllFields,
            _ => throw new System.Diagnostics.UnreachableException(_unchanged.ToString()),
        };
        foreach (var i in fields)
        {
            if (i == textIndex || _plan.Response.Fields[i].ToolCall is not null || IsUnchanged(i))
            {
                continue;
            }

            if (_lastPatch != SnapshotPatch.None && _snapshot!.Patches(i))
            {
                return false; // (its value in the chunk before was the patched one, not the snapshot's)
            }

            // A value whose slots changed may still be the same: no value (Gemini's thoughts in a chunk of text), or the
            // same bytes (a value found by a fresh scan rather than from the chunk before).
            if (!SameAsInSnapshot(i, payload))
            {
                return false;
            }
        }

        // The text last: its value differs in every chunk of text, so its mark is read only when nothing else differs.
        return textIndex < 0 || (!(_lastPatch != SnapshotPatch.None && _snapshot!.Patches(textIndex)) && SameAsInSnapshot(textIndex, payload));
    }

    /// <summary>True when field <paramref name="i"/> has in this chunk the mark, or the value, it has in the last snapshot.</summary>
    private bool SameAsInSnapshot(int i, ReadOnlySpan<byte> payload)
    {
        var mark = Mark(i, payload, out var raw);
        return mark == Gathered ? _snapshot!.MarkOf(i) >= 0 && raw.SequenceEqual(_snapshot.ValueOf(i)) : mark == _snapshot!.MarkOf(i);
    }
}
