namespace LlmAdapters.Definitions;

/// <summary>
/// Quick answers for the usual shapes of a base URL and a host name, which <see cref="Uri"/> would accept: a yes is certain, a
/// no means "ask <see cref="Uri"/>", which then gives the verdict exactly as before.
/// </summary>
/// <remarks>
/// <see cref="Uri"/>'s first use costs a cold catalog load more than ten milliseconds (its assembly, parser tables and IP
/// address code); the shipped adapters and presets only have plain names such as <c>https://api.deepseek.com/v1</c>, which
/// need none of it. Anything unusual (IP addresses, IDN, user info, percent escapes, upper-case schemes, ...) still goes to Uri.
/// </remarks>
internal static class UrlSyntax
{
    /// <summary>Longer URLs are left to <see cref="Uri"/>, whose own limit is far above this.</summary>
    private const int MaxPlainUrlLength = 2048;

    /// <summary>
    /// True when <paramref name="text"/> is an absolute http(s) URL without user info, query or fragment, as <see cref="Uri"/>
    /// reads it (a preset's base URL).
    /// </summary>
    public static bool IsHttpBaseUrl(string text) => IsPlainHttpUrl(text) || UriSaysHttpBaseUrl(text);

    /// <summary>True when <see cref="Uri.CheckHostName"/> would not say Unknown (a host of <c>url_hosts</c>).</summary>
    public static bool IsHostName(string text) => IsPlainHostName(text) || UriSaysHostName(text);

    // Uri is only named in these two methods, so that the reader's own methods (and these checks when the text is plain)
    // do not make the JIT load System.Private.Uri; not inlined, so that neither does the ReadyToRun image's code of their
    // callers (whose fixups would name Uri's types and load the assembly on their first call).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool UriSaysHttpBaseUrl(string text)
        => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool UriSaysHostName(string text) => Uri.CheckHostName(text) != UriHostNameType.Unknown;

    /// <summary>
    /// True when <paramref name="text"/> is dot-separated labels of ASCII letters, digits and inner hyphens (1 to 63 characters
    /// each, 253 in all) whose last label starts with a letter: a DNS name, for which <see cref="Uri.CheckHostName"/> says Dns.
    /// </summary>
    public static bool IsPlainHostName(ReadOnlySpan<char> text)
    {
        if (text.Length is 0 or > 253)
        {
            return false;
        }

        var labelStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                if (!(char.IsAsciiLetterOrDigit(text[i]) || text[i] == '-'))
                {
                    return false;
                }

                continue;
            }

            var length = i - labelStart;
            if (length is 0 or > 63 || text[labelStart] == '-' || text[i - 1] == '-')
            {
                return false;
            }

            if (i == text.Length && !char.IsAsciiLetter(text[labelStart]))
            {
                return false; // the last label starts with a letter, so the name is never an IPv4 address
            }

            labelStart = i + 1;
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="text"/> (at most 2048 characters) is <c>http://</c> or <c>https://</c>, a plain host name (<see cref="IsPlainHostName"/>),
    /// an optional port from 1 to 65535 without a leading zero, and an optional path of ASCII letters, digits, <c>-._~/</c>:
    /// an absolute http(s) URL without user info, query or fragment.
    /// </summary>
    public static bool IsPlainHttpUrl(string text)
    {
        if (text.Length > MaxPlainUrlLength)
        {
            return false; // Uri has a length limit of its own
        }

        var rest = text.AsSpan();
        if (rest.StartsWith("https://", StringComparison.Ordinal))
        {
            rest = rest[8..];
        }
        else if (rest.StartsWith("http://", StringComparison.Ordinal))
        {
            rest = rest[7..];
        }
        else
        {
            return false;
        }

        var hostEnd = rest.IndexOfAny(':', '/');
        var host = hostEnd < 0 ? rest : rest[..hostEnd];
        if (!IsPlainHostName(host))
        {
            return false;
        }

        rest = rest[host.Length..];
        if (rest.Length > 0 && rest[0] == ':')
        {
            var portEnd = rest.IndexOf('/');
            var port = portEnd < 0 ? rest[1..] : rest[1..portEnd];
            if (port.Length is 0 or > 5 || port[0] == '0')
            {
                return false;
            }

            var value = 0;
            foreach (var c in port)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            if (value > 65535)
            {
                return false;
            }

            rest = rest[(port.Length + 1)..];
        }

        foreach (var c in rest)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/'))
            {
                return false;
            }
        }

        return rest.Length == 0 || rest[0] == '/';
    }
}
