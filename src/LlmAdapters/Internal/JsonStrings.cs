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
        if (inner.IndexOf((byte)'\\') < 0)
        {
            return StrictUtf8.GetString(inner);
        }

        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.GetString()!;
    }
}
