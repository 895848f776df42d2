namespace LlmAdapters.Mapping;

/// <summary>
/// A value of a stream that <see cref="JsonPathSet.Find(ReadOnlySpan{byte}, Span{int}, Span{int}, ScanMemo, int)"/> found,
/// the reference: its bytes, where each of its scalar values (strings, numbers, literals) lies, and the slots it found.
/// The next chunk of a stream most often differs from it only inside a few values (the text piece, a token count), and
/// is then checked against it rather than scanned afresh. The reference is the last value, or an earlier one that every
/// value since has differed from in the same scalars (the holes): then the next value is compared with it run by run
/// between the holes, and the reference is neither copied again nor moved.
/// </summary>
/// <remarks>Per stream; not thread-safe. Its copy of the reference is pooled: dispose it.</remarks>
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
    private int[] _changes = new int[12]; // while replaying, per rescanned scalar: its start and end in the reference, and the shift after it
    private int[] _holes = new int[4]; // while replaying: the index of each rescanned scalar
    private int[] _lastHoles = new int[4]; // the scalars in which the last value replayed differed from the reference
    private int _lastHoleCount;
    private bool _referenceIsLast; // the reference is the last value (else it differed from it in _lastHoles)
    private readonly SlotMoves _moved = new(); // how the slots moved in the last value that became the reference
    private SlotMoves? _kept; // how they move while the reference is kept (made at the first value that keeps one)
    private bool _usesKept; // the last replay kept the reference: IsUnchanged and ChangedSlots are _kept's
    private bool _valid;

    /// <param name="minResume">How far into a string its first difference must be for a resume (see <see cref="DefaultMinResume"/>; 0 in the test that proves resuming exact).</param>
    internal ScanMemo(int minResume = DefaultMinResume) => _minResume = minResume;

    internal ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

    /// <summary>The length of the value that the next is compared with (for tests: a string that keeps growing makes each value the reference).</summary>
    internal int ReferenceLength => _valid ? _length : 0;

    internal int ScalarCount => _valid ? _scalarCount : 0;

    /// <summary>True when the last value was found by <see cref="TryReplay"/>.</summary>
    internal bool LastWasReplay { get; private set; }

    /// <summary>
    /// After a replay: true for each slot whose value has the same bytes as in the value before (no rescanned scalar lies
    /// in it), so that whatever was checked of it then holds now.
    /// </summary>
    internal bool IsUnchanged(int slot) => LastWasReplay && Moves.Unchanged[slot];

    /// <summary>After a replay: the slots that are not <see cref="IsUnchanged"/> (most often the text item's alone).</summary>
    internal ReadOnlySpan<int> ChangedSlots => LastWasReplay ? Moves.ChangedSlots.AsSpan(0, Moves.ChangedCount) : default;

    private SlotMoves Moves => _usesKept ? _kept! : _moved;

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
        _lastHoleCount = 0;
        _referenceIsLast = true;
        _kept?.Ready = false;
        _valid = true;
    }

    /// <summary>Forgets the last value (a scan that declined, or an error): the next is scanned afresh.</summary>
    internal void Forget() => _valid = false;

    /// <summary>
    /// Finds the slots of <paramref name="json"/> from the reference value's (the last value scanned afresh or kept), when
    /// the two differ only inside scalar values: then every byte outside those values is the same, in the same place
    /// relative to its neighbours, so the scan reads the same tokens, in the same states, and finds the same slots, moved
    /// by the change in length of the values before them. Every byte of <paramref name="json"/> is read: the same ones are
    /// compared with the reference, the values that differ are scanned as the scan would scan them.
    /// </summary>
    /// <remarks>
    /// The reference is kept while each value differs from it in the same scalars as the value before did (a stream's
    /// text piece, its token counts): then it is neither copied nor moved. Otherwise this value becomes the reference.
    /// Whether a slot is unchanged is said against the value before, not the reference.
    /// </remarks>
    /// <returns>False when the values differ otherwise (another shape, a name, white space): the caller scans afresh.</returns>
    internal bool TryReplay(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths)
    {
        LastWasReplay = false;
        if (!_valid)
        {
            return false;
        }

        _valid = false; // until the replay succeeds
        if (_lastHoleCount > 0 && TryInHoles(json, starts, lengths))
        {
            _valid = true;
            LastWasReplay = true;
            return true;
        }

        var old = _bytes.AsSpan(0, _length);
        ReadOnlySpan<int> scalars = _scalars;
        int atOld = 0, atNew = 0, next = 0, changes = 0, samePrefix = -1;
        var shortHoles = true;
        while (true)
        {
            var same = old[atOld..].CommonPrefixLength(json[atNew..]);
            samePrefix = samePrefix < 0 ? same : samePrefix;
            var differs = atOld + same; // the first differing byte, in the reference
            if (differs == old.Length && atNew + same == json.Length)
            {
                break;
            }

            // It must lie in a scalar value (at its end included: a number may have grown), which is scanned anew where
            // it now starts; the token after it is then compared again.
            var shift = atNew - atOld;
            while (next < _scalarCount && scalars[(next * 2) + 1] < differs)
            {
                next++;
            }

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

            shortHoles &= scalars[(next * 2) + 1] - scalars[next * 2] <= _minResume && end - start <= _minResume;

            if (_changes.Length < (changes + 1) * 3)
            {
                Array.Resize(ref _changes, _changes.Length * 2);
                Array.Resize(ref _holes, _holes.Length * 2);
            }

            _changes[changes * 3] = scalars[next * 2];
            _changes[(changes * 3) + 1] = scalars[(next * 2) + 1];
            _changes[(changes * 3) + 2] = end - scalars[(next * 2) + 1];
            _holes[changes] = next;
            changes++;
            atOld = scalars[(next * 2) + 1];
            atNew = end;
            next++;
        }

        // The reference stays when the same scalars differ from it as in the value before, all of them short. A long one
        // (a cumulative text, which grows in every value) makes this value the reference, so that the next is compared
        // with it and only the string's new end is scanned (see ResumeInString).
        var keepsReference = shortHoles && changes == _lastHoleCount && _holes.AsSpan(0, changes).SequenceEqual(_lastHoles.AsSpan(0, changes));
        var changeList = _changes.AsSpan(0, changes * 3);
        if (keepsReference)
        {
            MoveKept(changeList, starts, lengths);
        }
        else
        {
            _moved.Prepare(_starts, _lengths, changeList);
            _moved.Move(_starts, _lengths, changeList, starts, lengths);
            if (!_referenceIsLast)
            {
                // The value before differed from the reference in other scalars: the slots that hold those changed too.
                _moved.MarkChanged(_starts, _lengths, _scalars, _lastHoles.AsSpan(0, _lastHoleCount));
            }

            _usesKept = false;
            Rebase(json, starts, lengths, samePrefix, changes);
        }

        _valid = true;
        LastWasReplay = true;
        return true;
    }

    /// <summary>
    /// The usual value of a stream: the reference's bytes but in the scalars that the last value changed (its holes), each
    /// of which holds a short scalar. Each run of bytes between them is compared with the reference's whole, and each
    /// scalar scanned whole. A long one, in the reference or here, is left to the walk, which makes this value the
    /// reference: a string that keeps growing (a cumulative text) is then scanned from where it differs, not whole.
    /// </summary>
    /// <returns>False when it is not so (another scalar changed, or the value is invalid): the walk decides.</returns>
    private bool TryInHoles(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths)
    {
        var old = _bytes.AsSpan(0, _length);
        int atOld = 0, atNew = 0;
        for (var c = 0; c < _lastHoleCount; c++)
        {
            var hole = _lastHoles[c];
            var (holeStart, holeEnd) = (_scalars[hole * 2], _scalars[(hole * 2) + 1]);
            var same = holeStart - atOld;
            if (holeEnd - holeStart > _minResume || json.Length - atNew < same || !json.Slice(atNew, same).SequenceEqual(old.Slice(atOld, same)))
            {
                return false;
            }

            var end = atNew + same;
            if (!JsonPathSet.FastScalar(json, ref end) || end - (atNew + same) > _minResume)
            {
                return false;
            }

            _changes[c * 3] = holeStart;
            _changes[(c * 3) + 1] = holeEnd;
            _changes[(c * 3) + 2] = end - holeEnd;
            atOld = holeEnd;
            atNew = end;
        }

        if (!json[atNew..].SequenceEqual(old[atOld..]))
        {
            return false;
        }

        MoveKept(_changes.AsSpan(0, _lastHoleCount * 3), starts, lengths);
        return true;
    }

    /// <summary>The slots of a value that differs from the kept reference in its holes, by moves worked out once per reference.</summary>
    private void MoveKept(ReadOnlySpan<int> changeList, Span<int> starts, Span<int> lengths)
    {
        _kept ??= new SlotMoves();
        if (!_kept.Ready)
        {
            _kept.Prepare(_starts, _lengths, changeList);
        }

        _kept.Move(_starts, _lengths, changeList, starts, lengths);
        _usesKept = true;
        _referenceIsLast = false;
    }

    /// <summary>
    /// Makes <paramref name="json"/> the reference: its bytes and slots kept, its scalars where they now lie (those before
    /// the first change as they were, each changed one where it was scanned, the others moved by the shift before them),
    /// and its <paramref name="changes"/> the holes that the next value is expected to change.
    /// </summary>
    private void Rebase(ReadOnlySpan<byte> json, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, int samePrefix, int changes)
    {
        var scalars = _scalars;
        var shift = 0;
        var at = changes == 0 ? _scalarCount : _holes[0];
        for (var c = 0; c < changes; c++)
        {
            var hole = _holes[c];
            for (; at < hole; at++)
            {
                scalars[at * 2] += shift;
                scalars[(at * 2) + 1] += shift;
            }

            scalars[hole * 2] += shift;
            shift = _changes[(c * 3) + 2];
            scalars[(hole * 2) + 1] += shift;
            at = hole + 1;
        }

        for (; at < _scalarCount && shift != 0; at++)
        {
            scalars[at * 2] += shift;
            scalars[(at * 2) + 1] += shift;
        }

        _holes.AsSpan(0, changes).CopyTo(_lastHoles.Length >= changes ? _lastHoles : _lastHoles = new int[_holes.Length]);
        _lastHoleCount = changes;
        _referenceIsLast = true;
        _kept?.Ready = false;
        Keep(json, starts, lengths, samePrefix);
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
