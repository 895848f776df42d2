using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

/// <summary>Builds the <see cref="HttpRequestMessage"/> of a <see cref="RequestPlan"/>: URL with encoded query, checked headers, JSON body.</summary>
internal static class RequestBuilder
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    /// <summary>The call's redactor on a request whose call has secrets beyond the profile's (a request's own key, a converted key).</summary>
    public static readonly HttpRequestOptionsKey<Internal.SecretRedactor> RedactorKey = new("LlmAdapters.SecretRedactor");

    // Request bodies go to an API, never into HTML: write Chinese and emoji as UTF-8 rather than \uXXXX escapes (a third of the bytes).
    private static readonly JsonWriterOptions BodyWriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static HttpRequestMessage Build(RequestPlan plan, VariableScope scope, ClientSettings settings, CallPlan call)
    {
        var url = BuildUrl(plan, scope, settings, call);
        var request = new HttpRequestMessage(plan.Method, url);
        try
        {
            byte[] bodyBytes = [];
            if (plan.Body is { } body)
            {
                (request.Content, bodyBytes) = BuildBody(body, scope);
            }

            foreach (var header in plan.Headers)
            {
                if (!header.IsPresent(scope) || (header.Value is InterpolatedTemplate t && t.AllOptionalMissing(scope)))
                {
                    continue;
                }

                var value = header.GetText(scope);
                if (value.AsSpan().IndexOfAny('\r', '\n') >= 0 || value.Contains('\0'))
                {
                    throw new LlmRequestException($"The value of header '{header.Name}' contains a line break or NUL, which could inject headers; nothing was sent. Check the variables of {header.Site}.");
                }

                AddHeader(request, header.Name, value, scope);
            }

            if (!ReferenceEquals(scope.Redactor, settings.Redactor))
            {
                // Known only now that every item is built: what converters made of secrets. SendAsync masks them in its errors.
                request.Options.Set(RedactorKey, scope.Redactor);
            }

            if (plan.Sign is { } sign)
            {
                // Signed in SendAsync, just before each send (a retry builds a new request; a redirect is signed again).
                request.Options.Set(RequestSigning.Key, RequestSigning.Prepare(sign, scope, bodyBytes));
            }

            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static Uri BuildUrl(RequestPlan plan, VariableScope scope, ClientSettings settings, CallPlan call)
    {
        if (plan.Path is LiteralTemplate && plan.Query.Count == 0)
        {
            // A fixed path (such as /chat/completions) gives the same URL on every call of a profile: built once.
            // Uri is immutable, so one instance serves every request.
            return settings.FixedUrls.GetOrAdd(plan, static (p, s) => BuildUrlCore(p, s.Scope, s.Settings, s.Call), (Scope: scope, Settings: settings, Call: call));
        }

        return BuildUrlCore(plan, scope, settings, call);
    }

    private static Uri BuildUrlCore(RequestPlan plan, VariableScope scope, ClientSettings settings, CallPlan call)
    {
        var path = plan.IsUrl ? ResponseUrl(plan, scope, settings, call) : plan.Path.GetText(scope, EscapePathValue);
        var sb = new StringBuilder(256);
        if (plan.IsUrl)
        {
            sb.Append(path);
        }
        else if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            sb.Append(path);
        }
        else
        {
            if (settings.BaseUrl is null)
            {
                throw new LlmConfigurationException($"Profile '{settings.ProfileName}' has no BaseUrl, and {call.DisplayName} needs one for its path '{path}'. Set BaseUrl in the profile, such as https://api.openai.com/v1.");
            }

            sb.Append(settings.BaseUrl);
            if (path.Length > 0 && path[0] != '/' && path[0] != '?')
            {
                sb.Append('/');
            }

            sb.Append(path);
        }

        var separator = path.Contains('?') ? '&' : '?';
        foreach (var parameter in plan.Query)
        {
            if (!parameter.IsPresent(scope) || (parameter.Value is InterpolatedTemplate t && t.AllOptionalMissing(scope)))
            {
                continue;
            }

            var value = parameter.Evaluate(scope);
            if (value.ValueKind == JsonValueKind.Array)
            {
                // A list becomes a repeated parameter: ?tag=a&tag=b
                foreach (var item in value.EnumerateArray())
                {
                    AppendQuery(sb, ref separator, parameter.Name, Internal.JsonValues.ToText(item));
                }
            }
            else
            {
                AppendQuery(sb, ref separator, parameter.Name, Internal.JsonValues.ToText(value));
            }
        }

        var text = sb.ToString();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new LlmRequestException(scope.Redactor.Redact($"The URL '{text}' built for {call.DisplayName} is not valid; check the profile's BaseUrl and the call's path."));
        }

        return uri;
    }

    /// <summary>
    /// The whole URL of a <c>query_url</c> request, read from an earlier response: used as it is (not escaped into a path
    /// segment), and only when its host is the profile's BaseUrl origin or one of the call's <c>url_hosts</c>, so that a
    /// key is never sent to a host a response names.
    /// </summary>
    /// <exception cref="LlmRequestException">The URL is not an absolute http(s) URL, or its host is not allowed; nothing was sent.</exception>
    private static string ResponseUrl(RequestPlan plan, VariableScope scope, ClientSettings settings, CallPlan call)
    {
        var text = plan.Path.GetText(scope).Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var target) || !Internal.UrlText.IsHttp(target))
        {
            throw new LlmRequestException(scope.Redactor.Redact($"The response to {call.DisplayName} gave '{Internal.UrlText.WithoutUserInfo(text)}' as the URL of the next request (query_url), which is not an absolute http(s) URL; nothing was sent."));
        }

        Uri? origin = settings.BaseUrl is not null && Uri.TryCreate(settings.BaseUrl, UriKind.Absolute, out var baseUri) ? baseUri : null;
        if (!Internal.UrlText.IsAllowedTarget(target, origin, plan.UrlHosts) || target.UserInfo.Length > 0)
        {
            var allowed = origin is null ? [] : new[] { origin.IdnHost };
            throw new LlmRequestException(scope.Redactor.Redact(
                $"The response to {call.DisplayName} names the host '{target.IdnHost}' ({Internal.UrlText.Origin(target)}) for the next request, which is not one the definition allows " +
                $"(allowed: {string.Join(", ", allowed.Concat(plan.UrlHosts).Distinct(StringComparer.OrdinalIgnoreCase))}); nothing was sent, so that the profile's key never goes to a host a response names. " +
                "If the host is the vendor's, add it to the call's \"url_hosts\"."));
        }

        return text;
    }

    /// <summary>Escapes a variable's value for a URL path: every segment is percent-encoded, '/' is kept (model names such as "meta/llama-3"), and dot segments are refused so that a value cannot climb out of the call's path.</summary>
    private static string EscapePathValue(string value)
    {
        if (value.IndexOf('/') < 0)
        {
            return value is "." or ".." ? throw DotSegment(value) : Uri.EscapeDataString(value);
        }

        var segments = value.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] is "." or "..")
            {
                throw DotSegment(value);
            }

            segments[i] = Uri.EscapeDataString(segments[i]);
        }

        return string.Join('/', segments);
    }

    private static LlmRequestException DotSegment(string value)
        => new($"A variable in a URL path has the value '{value}', with a '.' or '..' segment, which would change the path the call goes to; nothing was sent.");

    private static void AppendQuery(StringBuilder sb, ref char separator, string name, string value)
    {
        sb.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        separator = '&';
    }

    // One scratch buffer and writer per thread, reset for each body: the body then costs one exact-size array, not a
    // buffer that doubles its way up to the body's size (BuildBody is synchronous, so the pair is never shared).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_bodyBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_bodyWriter;

    private static (ReadOnlyMemoryContent Content, byte[] Bytes) BuildBody(IReadOnlyList<CompiledParameter> body, VariableScope scope)
    {
        var buffer = t_bodyBuffer ?? new ArrayBufferWriter<byte>(4096);
        var writer = t_bodyWriter ?? new Utf8JsonWriter(buffer, BodyWriterOptions);
        t_bodyBuffer = null; // a body built while this one is (a converter calling back into the library) gets its own pair
        t_bodyWriter = null;
        try
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            foreach (var item in body)
            {
                if (!item.IsPresent(scope))
                {
                    continue;
                }

                writer.WritePropertyName(item.Name);
                item.Write(writer, scope);
            }

            writer.WriteEndObject();
            writer.Flush();
            var bytes = buffer.WrittenSpan.ToArray();
            var content = new ReadOnlyMemoryContent(bytes);
            content.Headers.ContentType = JsonContentType;
            return (content, bytes);
        }
        finally
        {
            if (buffer.Capacity <= 256 * 1024)
            {
                t_bodyBuffer = buffer;
                t_bodyWriter = writer;
            }
        }
    }

    private static void AddHeader(HttpRequestMessage request, string name, string value, VariableScope scope)
    {
        if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            if (request.Content is not null)
            {
                if (!MediaTypeHeaderValue.TryParse(value, out var contentType))
                {
                    throw new LlmRequestException(scope.Redactor.Redact($"The Content-Type header value '{value}' is not a valid media type; write one such as application/json."));
                }

                request.Content.Headers.ContentType = contentType;
            }

            return;
        }

        if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is not null)
        {
            // Content headers (Content-Encoding, Content-Language...) live on the content.
            request.Content.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
