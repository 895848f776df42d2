namespace LlmAdapters.Internal;

/// <summary>URLs as they may be shown: never with the user info (<c>user:password@</c>) a base URL can carry.</summary>
internal static class UrlText
{
    /// <summary>The origin of <paramref name="uri"/>, <c>scheme://host:port</c> (the port only when not the scheme's default), without user info, path or query.</summary>
    public static string Origin(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

    /// <summary>True when both URLs have the same scheme, host and port.</summary>
    public static bool SameOrigin(Uri a, Uri b)
        => string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;

    /// <summary>True for an http or https URL.</summary>
    public static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;

    /// <summary>
    /// Whether a request may go to <paramref name="target"/>, a URL named by a response rather than by the profile: an
    /// http(s) URL on the origin of <paramref name="origin"/> (the profile's BaseUrl), or on one of <paramref name="hosts"/>
    /// (exact host names, or <c>*.domain</c> for any subdomain of it), never from https down to http.
    /// </summary>
    public static bool IsAllowedTarget(Uri target, Uri? origin, IReadOnlyList<string> hosts)
    {
        if (!IsHttp(target))
        {
            return false;
        }

        if (origin is not null && SameOrigin(target, origin))
        {
            return true;
        }

        if (origin is not null && origin.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps)
        {
            return false; // the credentials would cross the network in clear text
        }

        var host = target.IdnHost;
        foreach (var allowed in hosts)
        {
            if (allowed.StartsWith("*.", StringComparison.Ordinal)
                ? host.Length > allowed.Length - 1 && host.EndsWith(allowed.AsSpan(1), StringComparison.OrdinalIgnoreCase)
                : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><paramref name="url"/> with its user info, if any, replaced by <c>***</c>; works on text that is not a valid URL.</summary>
    public static string WithoutUserInfo(string url)
        => FindUserInfo(url) is { } range ? string.Concat(url.AsSpan(0, range.Start), SecretRedactor.Mask, url.AsSpan(range.End)) : url;

    /// <summary>
    /// The secrets in the user info of <paramref name="url"/>: the whole <c>user:password</c> and the password (or, with no
    /// password, the user part: a token such as <c>https://TOKEN@host</c>), as written and percent-decoded.
    /// </summary>
    public static IEnumerable<string> UserInfoSecrets(string? url)
    {
        if (url is null || FindUserInfo(url) is not { } range)
        {
            yield break;
        }

        var userInfo = url[range.Start..range.End];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var secret = colon < 0 ? userInfo : userInfo[(colon + 1)..];
        foreach (var value in new[] { userInfo, secret })
        {
            yield return value;
            var decoded = Uri.UnescapeDataString(value);
            if (decoded != value)
            {
                yield return decoded;
            }
        }
    }

    /// <summary>Where the user info is: between <c>://</c> and the last <c>@</c> before the path, query or fragment.</summary>
    private static (int Start, int End)? FindUserInfo(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = url.AsSpan(start).IndexOfAny('/', '?', '#');
        var authority = authorityEnd < 0 ? url.AsSpan(start) : url.AsSpan(start, authorityEnd);
        var at = authority.LastIndexOf('@');
        return at <= 0 ? null : (start, start + at);
    }
}
