namespace LlmAdapters.Definitions;

/// <summary>
/// <see cref="string.ToLowerInvariant"/> and <see cref="string.ToUpperInvariant"/> with the same results, made by hand when the
/// text is ASCII (definition keywords, HTTP methods, host names nearly always are).
/// </summary>
/// <remarks>
/// The framework's invariant casing loads ICU on first use, which costs a cold catalog load several milliseconds for
/// words such as "sync" or "post"; ASCII has one invariant case mapping (A-Z and a-z), so nothing is lost by doing it here.
/// Text with any non-ASCII character goes to the framework unchanged.
/// </remarks>
internal static class InvariantCase
{
    public static string ToLower(string text) => Change(text, 'A', 'Z') ?? text.ToLowerInvariant();

    public static string ToUpper(string text) => Change(text, 'a', 'z') ?? text.ToUpperInvariant();

    /// <summary>The text with its ASCII letters from <paramref name="from"/> to <paramref name="to"/> switched to the other case; null when it is not all ASCII.</summary>
    private static string? Change(string text, char from, char to)
    {
        var first = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c > '\x7F')
            {
                return null;
            }

            if (first < 0 && c >= from && c <= to)
            {
                first = i;
            }
        }

        if (first < 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = first; i < chars.Length; i++)
        {
            if (chars[i] >= from && chars[i] <= to)
            {
                chars[i] = (char)(chars[i] ^ 0x20);
            }
        }

        return new string(chars);
    }
}
