using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

/// <summary>
/// The values that one <see cref="JsonPathSet.Find(ReadOnlySpan{byte}, Span{int}, Span{int}, int)"/> found in one JSON value, by slot, and the one rule for an item's
/// alternatives (<c>a | b</c>): the first alternative found with a non-null value; failing that, the first found (JSON
/// null). Slots that need the document (negative indexes) are read from <c>fromDocument</c> when given.
/// </summary>
/// <remarks>A view over the caller's buffers, valid while they hold the value; allocates nothing.</remarks>
internal readonly ref struct SlotValues(ReadOnlySpan<byte> json, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, byte[]?[]? fromDocument = null)
{
    private readonly ReadOnlySpan<byte> _json = json;
    private readonly ReadOnlySpan<int> _starts = starts;
    private readonly ReadOnlySpan<int> _lengths = lengths;

    /// <summary>True for JSON null (and for nothing at all).</summary>
    public static bool IsNull(ReadOnlySpan<byte> raw) => raw.IsEmpty || raw[0] == (byte)'n';

    /// <summary>The raw JSON of <paramref name="slot"/>'s value; false when its path found nothing.</summary>
    public bool TryGet(int slot, out ReadOnlySpan<byte> raw)
    {
        if (fromDocument is { Length: > 0 } && fromDocument[slot] is { } value)
        {
            raw = value;
            return true;
        }

        var start = _starts[slot];
        if (start < 0)
        {
            raw = default;
            return false;
        }

        raw = _json.Slice(start, _lengths[slot]);
        return true;
    }

    /// <summary>True when one of <paramref name="slots"/> found a value, JSON null included.</summary>
    public bool AnyFound(ReadOnlySpan<int> slots)
    {
        foreach (var slot in slots)
        {
            if (TryGet(slot, out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The value of an item whose alternatives are <paramref name="slots"/>: the first found with a non-null value, else
    /// the first found (JSON null); false when none found anything.
    /// </summary>
    public bool TryFirst(ReadOnlySpan<int> slots, out ReadOnlySpan<byte> raw)
    {
        if (slots.Length == 1)
        {
            // An item without alternatives (most): its one slot, found or not, is the rule's answer.
            return TryGet(slots[0], out raw);
        }

        var slot = FirstSlot(slots);
        raw = default;
        return slot >= 0 && TryGet(slot, out raw);
    }

    /// <summary>The slot <see cref="TryFirst"/> reads: the first found with a non-null value, else the first found; -1 when none found anything.</summary>
    public int FirstSlot(ReadOnlySpan<int> slots)
    {
        var first = -1;
        foreach (var slot in slots)
        {
            if (TryGet(slot, out var candidate))
            {
                if (!IsNull(candidate))
                {
                    return slot;
                }

                if (first < 0)
                {
                    first = slot;
                }
            }
        }

        return first;
    }

    /// <summary>The first non-null alternative as its own element; default (undefined) when every alternative is absent or null.</summary>
    public JsonElement FirstNonNull(ReadOnlySpan<int> slots)
        => TryFirst(slots, out var raw) && !IsNull(raw) ? JsonValues.Parse(raw) : default;
}
