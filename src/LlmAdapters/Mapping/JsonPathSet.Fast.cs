using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

/// <summary>
/// The fast scan of <see cref="JsonPathSet.Find(ReadOnlySpan{byte}, Span{int}, Span{int}, int)"/>: one pass over a whole JSON value that checks its grammar as
/// <see cref="System.Text.Json.Utf8JsonReader"/> does (default options) and records the slots as the reader's walk
/// does, without the reader's general machinery (about half the time per token on stream chunks).
/// </summary>
/// <remarks>
/// It only ever accepts or declines: anything it is not sure of (an escaped property name, deep nesting, any grammar
/// error) declines, and the reader then decides and words the error. So a value is accepted only when the reader would
/// accept it too, with the same slots; a differential test over generated and mutated values holds it to that.
/// </remarks>
internal sealed partial class JsonPathSet
{
    /// <summary>What ends a run of plain string bytes, as a table: 1 for the closing quote, an escape, or a control character (an error).</summary>
    private static ReadOnlySpan<byte> StopTable =>
    [
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // control characters
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // '"' (34)
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, // '\\' (92)
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>Deeper values go to the reader, which enforces the caller's MaxDepth.</summary>
    private const int FastMaxDepth = 32;

    /// <param name="json">One JSON value.</param>
    /// <param name="starts">Receives where each slot's value starts (filled with -1 by the caller).</param>
    /// <param name="lengths">Receives each slot's value length.</param>
    /// <param name="maxDepth">The caller's nesting limit: values nested near it are declined, and the reader enforces it.</param>
    /// <remarks>
    /// One loop over the tokens with the open objects and arrays on a small stack, rather than a call per value: a chunk
    /// is some thirty short tokens, where the calls' arguments cost as much as the tokens.
    /// </remarks>
    /// <param name="memo">When given, receives where every scalar value lies (see <see cref="ScanMemo"/>).</param>
    internal bool TryFindFast(ReadOnlySpan<byte> json, Span<int> starts, Span<int> lengths, int maxDepth = 64, ScanMemo? memo = null)
    {
        var maxOpen = Math.Min(maxDepth, FastMaxDepth) - 1; // containers open at once, as the reader counts them (less one)
        var open = new OpenContainers();
        var depth = 0;
        var node = _root;
        var pos = JsonStrings.SkipWhiteSpace(json, 0);
        int start;

    Value:
        if (pos >= json.Length)
        {
            return false;
        }

        start = pos;
        if (json[pos] == (byte)'"')
        {
            // Most values are strings: tested before the switch.
            if (!FastString(json, ref pos, out _))
            {
                return false;
            }

            Record(node, start, pos, starts, lengths);
            memo?.AddScalar(start, pos);
            goto AfterValue;
        }

        switch (json[pos])
        {
            case (byte)'{':
                if (depth == maxOpen)
                {
                    return false;
                }

                open[depth++] = new OpenContainer(node, start, -1);
                pos = JsonStrings.SkipWhiteSpace(json, pos + 1);
                if (pos < json.Length && json[pos] == (byte)'}')
                {
                    pos++;
                    goto Closed;
                }

                goto Member;
            case (byte)'[':
                if (depth == maxOpen)
                {
                    return false;
                }

                open[depth++] = new OpenContainer(node, start, 0);
                pos = JsonStrings.SkipWhiteSpace(json, pos + 1);
                if (pos < json.Length && json[pos] == (byte)']')
                {
                    pos++;
                    goto Closed;
                }

                node = IndexChild(node, 0);
                goto Value;
            case (byte)'t':
                if (!FastLiteral(json, ref pos, "true"u8))
                {
                    return false;
                }

                break;
            case (byte)'f':
                if (!FastLiteral(json, ref pos, "false"u8))
                {
                    return false;
                }

                break;
            case (byte)'n':
                if (!FastLiteral(json, ref pos, "null"u8))
                {
                    return false;
                }

                break;
            default:
                if (!FastNumber(json, ref pos))
                {
                    return false;
                }

                break;
        }

        // A scalar ended at pos.
        Record(node, start, pos, starts, lengths);
        memo?.AddScalar(start, pos);

    AfterValue:
        if (depth == 0)
        {
            return JsonStrings.SkipWhiteSpace(json, pos) == json.Length;
        }

        pos = JsonStrings.SkipWhiteSpace(json, pos);
        if (pos >= json.Length)
        {
            return false;
        }

        ref var container = ref open[depth - 1];
        if (container.Index < 0)
        {
            if (json[pos] == (byte)'}')
            {
                pos++;
                goto Closed;
            }

            if (json[pos] != (byte)',')
            {
                return false;
            }

            pos = JsonStrings.SkipWhiteSpace(json, pos + 1);
            goto Member;
        }

        if (json[pos] == (byte)']')
        {
            pos++;
            goto Closed;
        }

        if (json[pos] != (byte)',')
        {
            return false;
        }

        node = IndexChild(container.Node, ++container.Index);
        pos = JsonStrings.SkipWhiteSpace(json, pos + 1);
        goto Value;

    Closed:
        // The container on top of the stack ended at pos.
        var closed = open[--depth];
        Record(closed.Node, closed.Start, pos, starts, lengths);
        goto AfterValue;

    Member:
        // A property of the object on top of the stack: its name, then its value.
        if (pos >= json.Length || json[pos] != (byte)'"')
        {
            return false;
        }

        var owner = open[depth - 1].Node;
        var names = owner?.Names ?? [];
        var nameStart = pos + 1;
        if (!FastString(json, ref pos, out var escaped) || (escaped && names.Length > 0))
        {
            return false; // an escaped name is compared unescaped by the reader's walk
        }

        var name = json[nameStart..(pos - 1)];
        node = null;
        for (var n = 0; n < names.Length; n++)
        {
            // Length and first byte first: most names in a chunk are not wanted, and most differ there.
            var wanted = names[n];
            if (wanted.Length == name.Length && (name.Length == 0 || wanted[0] == name[0]) && name.SequenceEqual(wanted))
            {
                node = owner!.NameChildren[n];
                break;
            }
        }

        pos = JsonStrings.SkipWhiteSpace(json, pos);
        if (pos >= json.Length || json[pos] != (byte)':')
        {
            return false;
        }

        pos = JsonStrings.SkipWhiteSpace(json, pos + 1);
        goto Value;
    }

    private static Node? IndexChild(Node? node, int index)
    {
        if (node is null)
        {
            return null;
        }

        var indexes = node.Indexes;
        for (var n = 0; n < indexes.Length; n++)
        {
            if (indexes[n] == index)
            {
                return node.IndexChildren[n];
            }
        }

        return null;
    }

    private static void Record(Node? node, int start, int end, Span<int> starts, Span<int> lengths)
    {
        if (node is { Slots.Length: > 0 })
        {
            foreach (var slot in node.Slots)
            {
                starts[slot] = start;
                lengths[slot] = end - start;
            }
        }
    }

    /// <summary>An object or array being scanned: its path node, where it starts, and the index of its current item (-1: an object).</summary>
    private struct OpenContainer(Node? node, int start, int index)
    {
        public readonly Node? Node = node;
        public readonly int Start = start;
        public int Index = index;
    }

    [System.Runtime.CompilerServices.InlineArray(FastMaxDepth)]
    private struct OpenContainers
    {
        private OpenContainer _first;
    }

    /// <summary>A string at <paramref name="pos"/> (its opening quote); no control characters, valid escapes. Its bytes are not checked as UTF-8, as the reader does not.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool FastString(ReadOnlySpan<byte> json, ref int pos, out bool escaped) => FastStringFrom(json, pos + 1, ref pos, out escaped);

    /// <summary>
    /// The rest of a string from <paramref name="from"/>, a place inside it where a character or an escape starts (its
    /// bytes before are known to be a valid string's): <paramref name="pos"/> is then just after its closing quote.
    /// </summary>
    internal static bool FastStringFrom(ReadOnlySpan<byte> json, int from, ref int pos) => FastStringFrom(json, from, ref pos, out _);

    private static bool FastStringFrom(ReadOnlySpan<byte> json, int from, ref int pos, out bool escaped)
    {
        escaped = false;
        var i = from;
        while (true)
        {
            i = StringRunEnd(json, i);
            if (i >= json.Length)
            {
                return false;
            }

            if (json[i] < 0x20)
            {
                return false; // a control character must be escaped
            }

            if (json[i] == (byte)'"')
            {
                pos = i + 1;
                return true;
            }

            escaped = true;
            if (i + 1 >= json.Length)
            {
                return false;
            }

            switch (json[i + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    break;
                case (byte)'u':
                    if (i + 6 > json.Length || !IsHex(json[i + 2]) || !IsHex(json[i + 3]) || !IsHex(json[i + 4]) || !IsHex(json[i + 5]))
                    {
                        return false;
                    }

                    i += 6;
                    break;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// The first position at or after <paramref name="i"/> that ends a run of plain string bytes (see
    /// <see cref="StopTable"/>), or the length when none does.
    /// </summary>
    /// <remarks>
    /// Sixteen bytes at a time, compared in registers: most strings in a chunk (names, ids, enum values, a token of text)
    /// end within the first block, where a call to a general vectorised search would cost more than the string.
    /// </remarks>
    private static int StringRunEnd(ReadOnlySpan<byte> json, int i)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(json);
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)0x20);
            while (i <= json.Length - Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref first, (nuint)i);
                var stops = Vector128.Equals(block, quote) | Vector128.Equals(block, backslash) | Vector128.LessThan(block, space);
                if (stops != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }

                i += Vector128<byte>.Count;
            }
        }

        while (i < json.Length && StopTable[json[i]] == 0)
        {
            i++;
        }

        return i;
    }

    /// <summary>One scalar value (a string, number or literal) at <paramref name="pos"/>, as the scan reads it there; <paramref name="pos"/> moves past it.</summary>
    internal static bool FastScalar(ReadOnlySpan<byte> json, ref int pos)
    {
        if (pos >= json.Length)
        {
            return false;
        }

        return json[pos] switch
        {
            (byte)'"' => FastString(json, ref pos, out _),
            (byte)'t' => FastLiteral(json, ref pos, "true"u8),
            (byte)'f' => FastLiteral(json, ref pos, "false"u8),
            (byte)'n' => FastLiteral(json, ref pos, "null"u8),
            (byte)'-' or (>= (byte)'0' and <= (byte)'9') => FastNumber(json, ref pos),
            _ => false,
        };
    }

    private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

    private static bool FastLiteral(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> literal)
    {
        if (!json[pos..].StartsWith(literal))
        {
            return false;
        }

        pos += literal.Length;
        return pos == json.Length || IsDelimiter(json[pos]);
    }

    /// <summary>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, then a delimiter or the end.</summary>
    private static bool FastNumber(ReadOnlySpan<byte> json, ref int pos)
    {
        var i = pos;
        if (json[i] == (byte)'-')
        {
            i++;
        }

        if (i >= json.Length)
        {
            return false;
        }

        if (json[i] == (byte)'0')
        {
            i++;
        }
        else if (json[i] is >= (byte)'1' and <= (byte)'9')
        {
            i = Digits(json, i + 1);
        }
        else
        {
            return false;
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            var after = Digits(json, i + 1);
            if (after == i + 1)
            {
                return false;
            }

            i = after;
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var after = Digits(json, i);
            if (after == i)
            {
                return false;
            }

            i = after;
        }

        pos = i;
        return i == json.Length || IsDelimiter(json[i]);
    }

    private static int Digits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is >= (byte)'0' and <= (byte)'9')
        {
            i++;
        }

        return i;
    }

    private static bool IsDelimiter(byte b) => b is (byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

}
