using System.Net;
using LlmAdapters.Compilation;
using LlmAdapters.Internal;

namespace LlmAdapters.Execution;

/// <summary>
/// Follows a vendor's redirects only within the origin (scheme, host, port) the request was sent to, so that the
/// credentials a definition puts in headers, the query or the body never reach another host.
/// </summary>
/// <remarks>
/// The HttpClient's own redirect following (on by default in HttpClientHandler) drops only the Authorization header and
/// replays the body of a 307/308 to any host: the named clients of AddLlmAdapters have it turned off
/// (see <see cref="DependencyInjection.HttpClientHardening"/>) and the library follows redirects here instead.
/// </remarks>
internal static class Redirects
{
    /// <summary>The most redirects followed for one request.</summary>
    public const int MaxHops = 5;

    public static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// The request that follows <paramref name="response"/>, a redirect of <paramref name="sent"/>: same origin as
    /// <paramref name="origin"/>, an HTTP(S) URL. 301/302 of a POST and 303 become a GET without body; 307/308 keep the
    /// method and body. Any other redirect is an <see cref="LlmHttpException"/> and nothing is sent.
    /// </summary>
    public static HttpRequestMessage Follow(HttpRequestMessage sent, HttpResponseMessage response, Uri origin, int hop, CallPlan call, ClientSettings settings, SecretRedactor redactor)
    {
        var status = (int)response.StatusCode;
        if (hop >= MaxHops)
        {
            throw Refused(status, $"after {MaxHops} redirects the vendor still redirects", call, settings, redactor);
        }

        var target = Target(sent.RequestUri!, response)
            ?? throw Refused(status, "with a redirect whose Location is missing or not a URL", call, settings, redactor);
        if (!UrlText.IsHttp(target))
        {
            throw Refused(status, $"with a redirect to a '{target.Scheme}' URL, which is not HTTP", call, settings, redactor);
        }

        if (!UrlText.SameOrigin(target, origin))
        {
            throw Refused(
                status,
                $"with a redirect to another origin ({UrlText.Origin(target)}); it was not followed, so that the request and its credentials go only to {UrlText.Origin(origin)}. If that origin is the vendor's, set it as the profile's BaseUrl",
                call,
                settings,
                redactor);
        }

        var method = sent.Method;
        if ((status == 303 && method != HttpMethod.Head) || (status is 301 or 302 && method == HttpMethod.Post))
        {
            method = HttpMethod.Get;
        }

        var next = new HttpRequestMessage(method, target) { Version = sent.Version, VersionPolicy = sent.VersionPolicy };
        foreach (var header in sent.Headers)
        {
            next.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (method == sent.Method)
        {
            // The same content object: it is the caller's, disposed with the first request, and can be sent again.
            next.Content = sent.Content;
        }

        if (sent.Options.TryGetValue(RequestBuilder.RedactorKey, out var callRedactor))
        {
            next.Options.Set(RequestBuilder.RedactorKey, callRedactor);
        }

        if (sent.Options.TryGetValue(RequestSigning.Key, out var signing))
        {
            next.Options.Set(RequestSigning.Key, signing); // signed again for its own URL when it is sent
        }

        return next;
    }

    /// <summary>
    /// An error when the handler followed a redirect to another origin by itself (a caller's HttpClient whose handler
    /// auto-redirects): the answer is refused. Null when the response comes from <paramref name="sentTo"/>'s origin.
    /// </summary>
    public static LlmHttpException? FollowedElsewhere(Uri sentTo, HttpResponseMessage response, CallPlan call, ClientSettings settings, SecretRedactor redactor)
    {
        if (response.RequestMessage?.RequestUri is not { IsAbsoluteUri: true } final || UrlText.SameOrigin(final, sentTo))
        {
            return null;
        }

        return Refused(
            (int)response.StatusCode,
            $"after the HttpClient's handler followed a redirect from {UrlText.Origin(sentTo)} to another origin ({UrlText.Origin(final)}); the answer is refused. " +
            "The request may have reached that origin with its credentials: give LlmAdapters an HttpClient whose handler does not follow redirects " +
            "(HttpClientHandler or SocketsHttpHandler with AllowAutoRedirect = false); it then follows redirects itself, within the vendor's origin only",
            call,
            settings,
            redactor);
    }

    /// <summary>Where a redirect points, resolved against the request's URL; null when the Location header is missing or not a URL.</summary>
    private static Uri? Target(Uri requestUri, HttpResponseMessage response)
    {
        if (response.Headers.Location is { } location)
        {
            if (location.IsAbsoluteUri)
            {
                return location;
            }

            return Uri.TryCreate(requestUri, location, out var resolved) ? resolved : null;
        }

        // A value HttpClient could not parse stays among the raw headers; it is not a URL either way.
        return null;
    }

    private static LlmHttpException Refused(int status, string what, CallPlan call, ClientSettings settings, SecretRedactor redactor)
        => new(redactor.Redact($"The vendor answered {status} to {call.DisplayName} for profile '{settings.ProfileName}' {what}."), status, null, null, null);
}
