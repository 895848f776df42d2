namespace LlmAdapters.Mapping;

/// <summary>
/// The last value that <see cref="JsonPathSet.Find(ReadOnlySpan{byte}, Span{int}, Span{int}, ScanMemo, int)"/> scanned:
/// its bytes, where each of its scalar values (strings, numbers, literals) lies, and the slots it found. The next chunk
/// of a stream most often differs from the last only inside a few values (the text piece, a token count), and is then
/// checked against it rather than scanned afresh.
/// </summary>
/// <remarks>Per stream; not thread-safe. Its copy of the last value is pooled: dispose it.</remarks>
internal sealed class ScanMemo : IDisposable
{
    /// <summary>How far into a string its first difference must be for the scan to resume there rather than at its start.</summary>
    internal const int DefaultMinResume = 64;

    private readonly int _minResume;
    private byte[] _bytes = [];
    private int _length;
    private int[] _scalars = new int[32]; // start and end (exclusive) of each scalar value, in order (a chunk has a dozen or so)
    private int _scalarCount;
    private int[] _starts = [];
    private int[] _lengths = [];
    private int[] _changes = new int[12]; // while replaying, per rescanned scalar: its start and end in the old value, and the shift after it
    private bool[] _unchanged = [];
    private int[] _changedSlots = [];
    private int _changedSlotCount;
    private bool _valid;

    /// <param name="minResume">How far into a string its first difference must be for a resume (see <see cref="DefaultMinResume"/>; 0 in the test that proves resuming exact).</param>
    internal ScanMemo(int minResume = DefaultMinResume) => _minResume = minResume;

    internal ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

    internal int ScalarCount => _valid ? _scalarCount : 0;

    /// <summary>True when the last value was found by <see cref="TryReplay"/>.</summary>
    internal bool LastWasReplay { get; private set; }

    /// <summary>
    /// After a replay: true for each slot whose value has the same bytes as in the value before (no rescanned scalar lies
    /// in it), so that whatever was checked of it then holds now.
    /// </summary>
    internal bool IsUnchanged(int slot) => LastWasReplay && _unchanged[slot];

    /// <summary>After a replay: the slots that are not <see cref="IsUnchanged"/> (most often the text item's alone).</summary>
    internal ReadOnlySpan<int> ChangedSlots => LastWasReplay ? _changedSlots.AsSpan(0, _changedSlotCount) : default;

    /// <summary>Starts a scan's record (the scan then adds every scalar value it passes).</summary>
    internal void Begin()
    {
        _valid = false;
        _scalarCount = 0;
    }

    internal void AddScalar(int start, int end)
    {
        if (_scalars.Length < (_scalarCount + 1) * 2)
        {
            Array.Resize(ref _scalars, _scalars.Length * 2);
        }

        _scalars[_scalarCount * 2] = start;
        _scalars[(_scalarCount * 2) + 1] = end;
        _scalarCount++;
    }

    /// <summary>Ends a scan that accepted <paramref name="json"/> whole: its bytes and slots are kept for the next.</summary>
    internal void Commit(ReadOnlySpan<byte> json, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        Keep(json, starts, lengths);
        _valid = true;
    }

    /// <summary>Forgets the last value (a scan that declined, or an error): the next is scanned afresh.</summary>
    internal void Forget() => _valid = false;

    /// <summary>
    /// Finds the slots of <paramref name="json"/> from the last value's, when the two differ only inside scalar values:
    /// then every byte outside those values is the same, in the same place relative to its neighbours, so the scan reads
    /// the same tokens, in the same states, and finds the same slots, moved by the change in length of the values
    /// before them. Every byte of <paramref name="json"/> is read: the same ones are compared with the last value, the
    /// values that differ are scanned as the scan would scan them.
    /// </summary>
    /// <returns>False when the values differ otherwise (another shape, a name, white space): the caller scans afresh.</returns>
    internal bool TryReplay(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths)
    {
        LastWasReplay = false;
        if (!_valid)
        {
            return false;
        }

        _valid = false; // until the replay succeeds: the scalars are moved in place as it goes
        var old = _bytes.AsSpan(0, _length);
        var scalars = _scalars;
        int atOld = 0, atNew = 0, next = 0, changes = 0, samePrefix = -1;
        while (true)
        {
            var same = old[atOld..].CommonPrefixLength(json[atNew..]);
            samePrefix = samePrefix < 0 ? same : samePrefix;
            var differs = atOld + same; // the first differing byte, in the old value
            if (differs == old.Length && atNew + same == json.Length)
            {
                break;
            }

            // The scalars before it are the same bytes: moved by the shift so far.
            var shift = atNew - atOld;
            while (next < _scalarCount && scalars[(next * 2) + 1] < differs)
            {
                scalars[next * 2] += shift;
                scalars[(next * 2) + 1] += shift;
                next++;
            }

            // It must lie in a scalar value (at its end included: a number may have grown), which is scanned anew where
            // it now starts; the token after it is then compared again.
            if (next == _scalarCount || scalars[next * 2] > differs)
            {
                return false;
            }

            var start = scalars[next * 2] + shift;
            var end = start;
            // Only in a long string (a cumulative stream's text) is a resume worth looking for: a short one, a piece of text
            // that most often differs from its first bytes, is scanned whole as it always was.
            var resume = differs - scalars[next * 2] > _minResume ? ResumeInString(old, scalars[next * 2], scalars[(next * 2) + 1], differs) : -1;
            if (resume >= 0 ? !JsonPathSet.FastStringFrom(json, resume + shift, ref end) : !JsonPathSet.FastScalar(json, ref end))
            {
                return false;
            }

            if (_changes.Length < (changes + 1) * 3)
            {
                Array.Resize(ref _changes, _changes.Length * 2);
            }

            _changes[changes * 3] = scalars[next * 2];
            _changes[(changes * 3) + 1] = scalars[(next * 2) + 1];
            _changes[(changes * 3) + 2] = end - scalars[(next * 2) + 1];
            changes++;
            atOld = scalars[(next * 2) + 1];
            atNew = end;
            scalars[next * 2] = start;
            scalars[(next * 2) + 1] = end;
            next++;
        }

        var last = atNew - atOld;
        for (; next < _scalarCount && last != 0; next++)
        {
            scalars[next * 2] += last;
            scalars[(next * 2) + 1] += last;
        }

        if (_unchanged.Length != starts.Length)
        {
            _unchanged = new bool[starts.Length];
            _changedSlots = new int[starts.Length];
        }

        // Per slot, from the value before's: where it now starts and ends, and whether a rescanned scalar lies in it. The
        // changes are in the order of the value, so those from the slot's end on touch neither (the loop stops there).
        ReadOnlySpan<int> oldStarts = _starts, oldLengths = _lengths;
        ReadOnlySpan<int> changeList = _changes.AsSpan(0, changes * 3);
        Span<bool> unchangedSlots = _unchanged;
        Span<int> changedSlots = _changedSlots;
        var changedCount = 0;
        for (var slot = 0; slot < starts.Length; slot++)
        {
            var from = oldStarts[slot];
            if (from < 0)
            {
                starts[slot] = -1;
                unchangedSlots[slot] = true;
                continue;
            }

            var to = from + oldLengths[slot];
            var unchanged = true;
            var shiftFrom = 0;
            var shiftTo = 0;
            for (var c = 0; c + 2 < changeList.Length; c += 3)
            {
                if (changeList[c] >= to)
                {
                    break; // (a scalar is at least one byte: it ends after the slot, as do the ones after it)
                }

                // A boundary moves by the shift after the last rescanned scalar that ends at or before it.
                var (changeEnd, shift) = (changeList[c + 1], changeList[c + 2]);
                shiftFrom = changeEnd <= from ? shift : shiftFrom;
                shiftTo = changeEnd <= to ? shift : shiftTo;
                unchanged &= changeEnd <= from;
            }

            starts[slot] = from + shiftFrom;
            lengths[slot] = to + shiftTo - starts[slot];
            unchangedSlots[slot] = unchanged;
            if (!unchanged)
            {
                changedSlots[changedCount++] = slot;
            }
        }

        _changedSlotCount = changedCount;
        Keep(json, starts, lengths, samePrefix);
        _valid = true;
        LastWasReplay = true;
        return true;
    }

    /// <summary>
    /// Where the scan of a string that differs from the old one first at <paramref name="differs"/> can resume (in the old
    /// value; -1 to scan the scalar whole): a place at or before it, inside the string, where a character or an escape
    /// starts, so that a string that grew at its end (a cumulative stream's text) is scanned from there only. The bytes
    /// before it are the old string's, which was scanned whole and valid.
    /// </summary>
    private static int ResumeInString(ReadOnlySpan<byte> old, int start, int end, int differs)
    {
        if (differs <= start + 1 || old[start] != (byte)'"')
        {
            return -1;
        }

        // An escape is at most 6 bytes (\uXXXX) and starts with a backslash; a backslash is never one of an escape's
        // other bytes but the second of \\. So with no backslash in the 5 bytes before it, a place is not inside an
        // escape; else the run of backslashes that holds the first of them starts where an escape does.
        var resume = Math.Min(differs, end - 1);
        var from = Math.Max(start + 1, resume - 5);
        var backslash = old[from..resume].IndexOf((byte)'\\');
        if (backslash < 0)
        {
            return resume;
        }

        resume = from + backslash;
        while (resume > start + 1 && old[resume - 1] == (byte)'\\')
        {
            resume--;
        }

        return resume;
    }

    /// <param name="json">The value.</param>
    /// <param name="starts">Its slots' starts.</param>
    /// <param name="lengths">Its slots' lengths.</param>
    /// <param name="samePrefix">How many of its first bytes the kept copy already holds.</param>
    private void Keep(ReadOnlySpan<byte> json, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, int samePrefix = 0)
    {
        if (_bytes.Length < json.Length)
        {
            // Pooled: the chunks of a cumulative stream grow with the text, and would otherwise cost new copies as they do.
            ReturnBytes();
            _bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(json.Length, 256));
            samePrefix = 0;
        }

        json[samePrefix..].CopyTo(_bytes.AsSpan(samePrefix));
        _length = json.Length;
        if (_starts.Length != starts.Length)
        {
            _starts = new int[starts.Length];
            _lengths = new int[starts.Length];
        }

        starts.CopyTo(_starts);
        lengths.CopyTo(_lengths);
    }

    public void Dispose()
    {
        _valid = false;
        ReturnBytes();
    }

    private void ReturnBytes()
    {
        if (_bytes.Length > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }
}
