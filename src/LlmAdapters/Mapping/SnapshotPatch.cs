using System.Buffers.Text;
using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>
/// Integers that change from chunk to chunk while every other byte of a stream's values stays the same (DashScope's
/// and Gemini's token counts, sent with every chunk). A <see cref="ChunkSnapshot"/> records where they lie in its values
/// (its sites); a later chunk whose values differ from the snapshot's only there is given as that snapshot and the
/// chunk's integers, packed into one <see cref="long"/> (a patch), so that its update needs no snapshot of its own.
/// </summary>
/// <remarks>
/// A patch is exact or not made: the integers are kept only when written as JSON writes them (digits, no sign, no
/// leading zero, no fraction or exponent) and short enough to be packed, so that writing them back gives the chunk's
/// bytes. Anything else makes a snapshot of the chunk's own, as without patches.
/// </remarks>
internal static class SnapshotPatch
{
    /// <summary>At most this many integers per snapshot (three per site: its field, where it starts in the field's value, its length).</summary>
    public const int MaxSites = 4;

    /// <summary>No patch: the snapshot's own values.</summary>
    public const long None = 0;

    private const long Present = 1L << 62; // set in every patch, so that a patch of zeros is not None
    private const int ValueBits = 62;

    /// <summary>The most digits an integer may have in a patch of <paramref name="sites"/> integers (each has 62 / sites bits).</summary>
    public static int MaxDigits(int sites) => sites switch
    {
        1 => 18,
        2 => 9,
        3 => 6,
        _ => 4,
    };

    /// <summary>The largest value a patch of <paramref name="sites"/> values holds.</summary>
    public static long MaxValue(int sites) => (1L << (ValueBits / sites)) - 1;

    /// <summary><paramref name="patch"/> with integer <paramref name="site"/> of <paramref name="sites"/> set to <paramref name="value"/> (which fits: see <see cref="MaxDigits"/>).</summary>
    public static long With(long patch, int site, int sites, long value)
    {
        var bits = ValueBits / sites;
        var mask = ((1L << bits) - 1) << (site * bits);
        return Present | (patch & ~mask) | (value << (site * bits));
    }

    /// <summary>Integer <paramref name="site"/> of <paramref name="sites"/> in <paramref name="patch"/>.</summary>
    public static long ValueAt(long patch, int site, int sites)
    {
        var bits = ValueBits / sites;
        return (patch >> (site * bits)) & ((1L << bits) - 1);
    }

    /// <summary>
    /// Reads the integer that <paramref name="json"/> starts with, when it is written canonically (one to
    /// <paramref name="maxDigits"/> digits, no leading zero) and is a whole JSON number (no fraction or exponent follows).
    /// </summary>
    public static bool TryReadInt(ReadOnlySpan<byte> json, int maxDigits, out long value, out int length)
    {
        value = 0;
        length = 0;
        while (length < json.Length && length < maxDigits && json[length] is >= (byte)'0' and <= (byte)'9')
        {
            value = (value * 10) + (json[length] - '0');
            length++;
        }

        return length > 0 && (json[0] != (byte)'0' || length == 1)
            && (length == json.Length || json[length] is not ((byte)'.' or (byte)'e' or (byte)'E' or (>= (byte)'0' and <= (byte)'9')));
    }

    /// <summary>Writes <paramref name="value"/> as JSON does; returns the bytes written.</summary>
    public static int Write(long value, Span<byte> destination)
        => Utf8Formatter.TryFormat(value, destination, out var written) ? written : throw new InvalidOperationException("no room for a patched integer");

    /// <summary>
    /// Compares one field's value in two chunks, <paramref name="before"/> and <paramref name="current"/> (each one
    /// valid JSON value): true when they differ only in canonical integers, whose sites in <paramref name="current"/> are
    /// then added to <paramref name="sites"/> (field, start, length; <paramref name="count"/> of them so far). False when
    /// anything else differs, or there would be more than <see cref="MaxSites"/>.
    /// </summary>
    public static bool TryFindSites(int field, ReadOnlySpan<byte> before, ReadOnlySpan<byte> current, Span<int> sites, ref int count)
    {
        try
        {
            var a = new Utf8JsonReader(before);
            var b = new Utf8JsonReader(current);
            while (true)
            {
                var more = a.Read();
                if (more != b.Read() || (more && a.TokenType != b.TokenType))
                {
                    return false;
                }

                if (!more)
                {
                    return true;
                }

                switch (a.TokenType)
                {
                    case JsonTokenType.Number when !a.ValueSpan.SequenceEqual(b.ValueSpan):
                        if (count == MaxSites || !TryReadInt(a.ValueSpan, 18, out _, out var oldLength) || oldLength != a.ValueSpan.Length
                            || !TryReadInt(b.ValueSpan, 18, out _, out var newLength) || newLength != b.ValueSpan.Length)
                        {
                            return false;
                        }

                        sites[3 * count] = field;
                        sites[(3 * count) + 1] = checked((int)b.TokenStartIndex);
                        sites[(3 * count) + 2] = newLength;
                        count++;
                        break;
                    case JsonTokenType.String or JsonTokenType.PropertyName when !a.ValueSpan.SequenceEqual(b.ValueSpan) || a.ValueIsEscaped != b.ValueIsEscaped:
                        return false;
                }
            }
        }
        catch (JsonException)
        {
            return false; // (not reached: both were read whole by the chunk's scan; no sites is always safe)
        }
    }
}
