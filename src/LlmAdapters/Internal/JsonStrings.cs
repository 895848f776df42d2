using System.Text;
using System.Text.Json;

namespace LlmAdapters.Internal;

/// <summary>Reading JSON strings and white space straight from raw bytes (a value already known to be valid JSON).</summary>
internal static class JsonStrings
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The first position at or after <paramref name="pos"/> that is not JSON white space.</summary>
    public static int SkipWhiteSpace(ReadOnlySpan<byte> json, int pos)
    {
        while (pos < json.Length && json[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            pos++;
        }

        return pos;
    }

    /// <summary>
    /// Where the string that opens at <paramref name="quote"/> ends (just after its closing quote) in valid JSON; -1 when
    /// it does not close.
    /// </summary>
    public static int EndOfString(ReadOnlySpan<byte> json, int quote)
    {
        var i = quote + 1;
        while (i < json.Length)
        {
            var stop = json[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (stop < 0)
            {
                return -1;
            }

            i += stop;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2; // an escape: its second byte is never the closing quote (and \uXXXX's hex digits are neither)
        }

        return -1;
    }

    /// <summary>
    /// The text of a JSON string token (quotes included), as <see cref="Utf8JsonReader.GetString"/> gives it: the bytes
    /// between the quotes when there is no escape, checked as UTF-8.
    /// </summary>
    /// <exception cref="DecoderFallbackException">Invalid UTF-8.</exception>
    /// <exception cref="InvalidOperationException">Invalid UTF-8 or half a surrogate pair (the reader's wording).</exception>
    public static string Decode(ReadOnlySpan<byte> token)
    {
        var inner = token[1..^1];
        var escape = inner.IndexOf((byte)'\\');
        if (escape < 0)
        {
            return StrictUtf8.GetString(inner);
        }

        // Text with escapes (a line break, a quote: common in answers) is unescaped here, run by run, rather than by a
        // reader set up per string; anything else goes to the reader, so the result and the exceptions are the reader's
        // (a differential test holds them so).
        if (inner.Length <= MaxStackChars)
        {
            Span<char> chars = stackalloc char[MaxStackChars];
            if (TryUnescape(inner, escape, chars, out var written))
            {
                return new string(chars[..written]);
            }
        }

        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.GetString()!;
    }

    private const int MaxStackChars = 512;

    /// <summary>
    /// Unescapes <paramref name="inner"/> (the bytes between a JSON string's quotes, or a run of them that starts and ends
    /// where a character or an escape does) into <paramref name="chars"/>, at least as long; false as the other overload.
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<byte> inner, Span<char> chars, out int written)
        => TryUnescape(inner, inner.IndexOf((byte)'\\'), chars, out written);

    /// <summary>
    /// Unescapes <paramref name="inner"/> (a JSON string's bytes between its quotes, with its first escape at
    /// <paramref name="escape"/>) into <paramref name="chars"/>, which is at least as long: a string never has more
    /// UTF-16 units than bytes. False for anything but valid text and known escapes (invalid UTF-8, half a surrogate
    /// pair, a broken escape): the reader then reads it, and says what is wrong as it always has.
    /// </summary>
    private static bool TryUnescape(ReadOnlySpan<byte> inner, int escape, Span<char> chars, out int written)
    {
        written = 0;
        while (true)
        {
            var run = escape < 0 ? inner : inner[..escape];
            if (System.Text.Unicode.Utf8.ToUtf16(run, chars[written..], out _, out var runChars, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            written += runChars;
            if (escape < 0)
            {
                return true;
            }

            if (escape + 1 >= inner.Length)
            {
                return false;
            }

            var next = escape + 2;
            switch (inner[escape + 1])
            {
                case (byte)'"': chars[written++] = '"'; break;
                case (byte)'\\': chars[written++] = '\\'; break;
                case (byte)'/': chars[written++] = '/'; break;
                case (byte)'b': chars[written++] = '\b'; break;
                case (byte)'f': chars[written++] = '\f'; break;
                case (byte)'n': chars[written++] = '\n'; break;
                case (byte)'r': chars[written++] = '\r'; break;
                case (byte)'t': chars[written++] = '\t'; break;
                case (byte)'u':
                    if (!TryHex(inner, escape + 2, out var unit))
                    {
                        return false;
                    }

                    next = escape + 6;
                    if (char.IsHighSurrogate(unit))
                    {
                        // Only a \uXXXX low surrogate completes it.
                        if (next + 2 > inner.Length || inner[next] != (byte)'\\' || inner[next + 1] != (byte)'u' || !TryHex(inner, next + 2, out var low) || !char.IsLowSurrogate(low))
                        {
                            return false;
                        }

                        chars[written++] = unit;
                        chars[written++] = low;
                        next += 6;
                    }
                    else if (char.IsLowSurrogate(unit))
                    {
                        return false;
                    }
                    else
                    {
                        chars[written++] = unit;
                    }

                    break;
                default:
                    return false;
            }

            inner = inner[next..];
            escape = inner.IndexOf((byte)'\\');
        }
    }

    private static bool TryHex(ReadOnlySpan<byte> inner, int at, out char unit)
    {
        unit = '\0';
        if (at + 4 > inner.Length || !System.Buffers.Text.Utf8Parser.TryParse(inner.Slice(at, 4), out ushort value, out var consumed, 'X') || consumed != 4)
        {
            return false;
        }

        unit = (char)value;
        return true;
    }
}
