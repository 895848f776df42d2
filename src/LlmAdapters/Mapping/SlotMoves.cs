namespace LlmAdapters.Mapping;

/// <summary>
/// How the slots of a value move when some of its scalar values are replaced by others (<see cref="ScanMemo"/>): each
/// slot starts and ends after the same changed scalars, and holds the same ones, whatever they now hold, so this is
/// worked out from where they lay (<see cref="Prepare"/>) and then only their shifts are added (<see cref="Move"/>).
/// </summary>
/// <remarks>
/// The changes are given as three ints each, in the order of the value: where the scalar started and ended in the
/// reference value, and the shift (new length minus old, summed over it and the changes before) after it.
/// </remarks>
internal sealed class SlotMoves
{
    private int[] _shiftFrom = []; // per slot: how many of the changes end at or before its start (it moves by the shift after the last of them)
    private int[] _shiftTo = []; // the same for its end

    /// <summary>True when <see cref="Prepare"/> has worked the moves out for the reference and changes in use.</summary>
    public bool Ready { get; set; }

    /// <summary>Per slot: no changed scalar lies in it (an absent slot included).</summary>
    public bool[] Unchanged { get; private set; } = [];

    /// <summary>The slots that are not <see cref="Unchanged"/>, the first <see cref="ChangedCount"/> of them.</summary>
    public int[] ChangedSlots { get; private set; } = [];

    public int ChangedCount { get; private set; }

    /// <summary>Works out, per slot of the reference, which of <paramref name="changes"/> come before its start and end, and whether one lies in it.</summary>
    public void Prepare(ReadOnlySpan<int> referenceStarts, ReadOnlySpan<int> referenceLengths, ReadOnlySpan<int> changes)
    {
        var count = referenceStarts.Length;
        if (_shiftFrom.Length != count)
        {
            (_shiftFrom, _shiftTo, Unchanged, ChangedSlots) = (new int[count], new int[count], new bool[count], new int[count]);
        }

        var changed = 0;
        for (var slot = 0; slot < count; slot++)
        {
            var from = referenceStarts[slot];
            var to = from + referenceLengths[slot];
            int shiftFrom = 0, shiftTo = 0;
            var unchanged = true;

            // The changes from the slot's end on touch neither boundary (a scalar is at least one byte: it ends after the
            // slot, as do the ones after it), so the loop stops there.
            for (var c = 0; from >= 0 && c + 2 < changes.Length && changes[c] < to; c += 3)
            {
                shiftFrom = changes[c + 1] <= from ? (c / 3) + 1 : shiftFrom;
                shiftTo = changes[c + 1] <= to ? (c / 3) + 1 : shiftTo;
                unchanged &= changes[c + 1] <= from;
            }

            (_shiftFrom[slot], _shiftTo[slot], Unchanged[slot]) = (shiftFrom, shiftTo, unchanged);
            if (!unchanged)
            {
                ChangedSlots[changed++] = slot;
            }
        }

        ChangedCount = changed;
        Ready = true;
    }

    /// <summary>The slots of the value (<paramref name="starts"/>, <paramref name="lengths"/>) from the reference's and the value's <paramref name="changes"/>.</summary>
    public void Move(ReadOnlySpan<int> referenceStarts, ReadOnlySpan<int> referenceLengths, ReadOnlySpan<int> changes, Span<int> starts, Span<int> lengths)
    {
        for (var slot = 0; slot < starts.Length; slot++)
        {
            var from = referenceStarts[slot];
            if (from < 0)
            {
                starts[slot] = -1;
                continue;
            }

            var (shiftFrom, shiftTo) = (_shiftFrom[slot], _shiftTo[slot]);
            var start = from + (shiftFrom == 0 ? 0 : changes[(3 * shiftFrom) - 1]);
            starts[slot] = start;
            lengths[slot] = from + referenceLengths[slot] + (shiftTo == 0 ? 0 : changes[(3 * shiftTo) - 1]) - start;
        }
    }

    /// <summary>
    /// Marks as changed every slot of the reference that holds one of the scalars numbered <paramref name="which"/> in
    /// <paramref name="scalars"/> (the reference's, start and end, two ints each).
    /// </summary>
    public void MarkChanged(ReadOnlySpan<int> referenceStarts, ReadOnlySpan<int> referenceLengths, ReadOnlySpan<int> scalars, ReadOnlySpan<int> which)
    {
        var changed = 0;
        for (var slot = 0; slot < Unchanged.Length; slot++)
        {
            var from = referenceStarts[slot];
            for (var w = 0; Unchanged[slot] && from >= 0 && w < which.Length; w++)
            {
                var scalar = which[w];
                Unchanged[slot] = !(scalars[2 * scalar] < from + referenceLengths[slot] && scalars[(2 * scalar) + 1] > from);
            }

            if (!Unchanged[slot])
            {
                ChangedSlots[changed++] = slot;
            }
        }

        ChangedCount = changed;
    }
}
