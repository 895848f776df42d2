using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Gateway;

/// <summary>How the gateway writes JSON: plain UTF-8, non-ASCII text as itself (no <c>\u4F60</c> escapes).</summary>
/// <remarks>
/// The relaxed encoder leaves HTML-sensitive characters unescaped; that is safe here because every JSON body is served as
/// <c>application/json</c> or <c>text/event-stream</c>, never embedded in HTML.
/// </remarks>
internal static class GatewayJson
{
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static readonly JsonSerializerOptions Serializer = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The characters a JSON string must escape (RFC 8259 §7): quotation mark, reverse solidus, U+0000 to U+001F.</summary>
    private static readonly SearchValues<char> Escaped = SearchValues.Create("\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    /// <summary>The most bytes <see cref="WriteStringValue"/> writes for <paramref name="length"/> UTF-16 chars (each as <c>\u00XX</c>), quotes included.</summary>
    /// <exception cref="OverflowException">A text too long for any buffer (over 357 million chars).</exception>
    public static int MaxStringValueBytes(int length) => checked((length * 6) + 2);

    /// <summary>
    /// Writes <paramref name="text"/> as a JSON string, quotes included, to <paramref name="destination"/> (at least
    /// <see cref="MaxStringValueBytes"/> long) and returns the bytes written: the text as UTF-8, with only what JSON must
    /// escape escaped (so an emoji is its four bytes, not <c>\uD83D\uDE00</c>).
    /// </summary>
    /// <remarks>
    /// What a stream's content delta is made of, per chunk: one vectorized search for the characters to escape, then the
    /// runs between them transcoded straight into place. <see cref="Utf8JsonWriter"/> checks every character against its
    /// encoder and escapes every character outside the Basic Multilingual Plane, which showed in the gateway's profile.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="text"/> is not valid UTF-16 (half a surrogate pair): it has no UTF-8 form, and is never replaced. Or <paramref name="destination"/> is too short.</exception>
    public static int WriteStringValue(ReadOnlySpan<char> text, Span<byte> destination)
    {
        destination[0] = (byte)'"';
        var at = 1;
        while (true)
        {
            var escape = text.IndexOfAny(Escaped);
            var run = escape < 0 ? text : text[..escape];
            var status = Utf8.FromUtf16(run, destination[at..], out _, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                throw status == OperationStatus.InvalidData
                    ? new ArgumentException("The text is not valid UTF-16 (it holds half a surrogate pair), so it has no UTF-8 form.", nameof(text))
                    : new ArgumentException($"The destination is shorter than {nameof(MaxStringValueBytes)} of the text's length.", nameof(destination));
            }

            at += written;
            if (escape < 0)
            {
                destination[at] = (byte)'"';
                return at + 1;
            }

            at += WriteEscape(text[escape], destination[at..]);
            text = text[(escape + 1)..];
        }
    }

    private static int WriteEscape(char c, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        var shortForm = c switch
        {
            '"' => (byte)'"',
            '\\' => (byte)'\\',
            '\n' => (byte)'n',
            '\r' => (byte)'r',
            '\t' => (byte)'t',
            '\b' => (byte)'b',
            '\f' => (byte)'f',
            _ => (byte)0,
        };
        if (shortForm != 0)
        {
            destination[1] = shortForm;
            return 2;
        }

        destination[1] = (byte)'u';
        destination[2] = (byte)'0';
        destination[3] = (byte)'0';
        destination[4] = "0123456789ABCDEF"u8[c >> 4];
        destination[5] = "0123456789ABCDEF"u8[c & 0xF];
        return 6;
    }
}
