using System.Text;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Mapping;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>Runs a sync call: one request, one response, mapped by <c>resp</c>; retried by the profile's policy.</summary>
    public Task<LlmResponse> CallSyncAsync(CallPlan call, LlmRequest request, CancellationToken cancellationToken)
    {
        // Each attempt builds its request before sending, so a missing variable fails before any request (and is not retried).
        return WithTimeoutAsync(call, token => ExecuteAsync(call, request, (scope, t) => SendSyncOnceAsync(call, scope, t), retry: true, token), cancellationToken);
    }

    private async Task<LlmResponse> SendSyncOnceAsync(CallPlan call, VariableScope scope, CancellationToken cancellationToken)
    {
        using var message = RequestBuilder.Build(call.Request, scope, Settings, call);
        using var response = await SendAsync(message, call, cancellationToken).ConfigureAwait(false);
        var body = await ReadWholeBodyAsync(response, call, cancellationToken).ConfigureAwait(false);
        var mapped = MapSync(call, body, (int)response.StatusCode, response);
        return call.Embeddings is null ? mapped : WithEmbeddings(call, mapped, body, response);
    }

    private LlmResponse MapSync(CallPlan call, byte[] body, int status, HttpResponseMessage response)
    {
        var map = call.Response;
        if (map.Fields.Length == 0 && !call.Error.ChecksSuccessResponses)
        {
            // A call without resp items returns the body as text, and without an error key nothing in it is checked.
            return new LlmResponse(BodyText(call, body), new Dictionary<string, JsonElement>(), status);
        }

        // One forward pass over the body; a document only when that cannot decide (not JSON, an in-band error, ...).
        if ((map.Fields.Length > 0 || call.Embeddings is not null) && call.ResponseReader.TryMap(body, call.DisplayName, out var mapped))
        {
            return new LlmResponse(mapped, status);
        }

        if (!HttpErrors.TryParseValue(body, out var root))
        {
            var text = Encoding.UTF8.GetString(body);
            if (map.Fields.Length == 0)
            {
                // A call without resp items returns the body as text: hosts that answer in plain text need no mapping.
                return new LlmResponse(text, new Dictionary<string, JsonElement>(), status);
            }

            if (body.Length == 0 && !map.HasNamedText)
            {
                return new LlmResponse(string.Empty, map.Fields.ToDictionary(f => f.Name, _ => Internal.JsonValues.Null, StringComparer.Ordinal), status);
            }

            if (body.Length == 0)
            {
                throw HttpErrors.Create(status, $"with an empty body ({ContentTypes.Describe(response.Content.Headers.ContentType?.MediaType)}), which has no answer", null, null, null, null, call, Settings, RedactorOf(response));
            }

            throw new LlmException(RedactorOf(response).Redact(
                $"The response to {call.DisplayName} is not JSON, so its resp items cannot be read (status {status}, content type {response.Content.Headers.ContentType?.MediaType ?? "none"}). " +
                $"Response: {(text.Length > HttpErrors.ExcerptChars ? text[..HttpErrors.ExcerptChars] + "…" : text)}"));
        }

        if (call.Error.IsInBandError(root))
        {
            var (vendorMessage, vendorCode) = call.Error.Extract(root);
            var reason = Internal.JsonValues.IsText(body) ? "with an error in the body" : "with an error in a body that is not valid text (invalid UTF-8 or half a surrogate pair)";
            throw HttpErrors.Create(status, reason, vendorMessage, vendorCode, Encoding.UTF8.GetString(body), null, call, Settings, RedactorOf(response));
        }

        if (map.Fields.Length == 0)
        {
            return new LlmResponse(BodyText(call, body), new Dictionary<string, JsonElement>(), status);
        }

        if (map.HasNamedText && !map.Fields[map.TextIndex].IsPresent(root))
        {
            // Absent is not empty: an explicit null or "" is an empty answer, a body without the item is no answer at all.
            var field = map.Fields[map.TextIndex];
            throw HttpErrors.Create(status, $"without the call's text item '{field.Name}' (path '{field.PathText}')", null, null, Encoding.UTF8.GetString(body), null, call, Settings, RedactorOf(response));
        }

        // The values found in the standalone document are kept as they are: no copy per field.
        var fields = map.Map(root, call.DisplayName, clone: false);
        return new LlmResponse(map.TextFrom(fields), fields, status, ResponseMap.UsageFrom(fields), ResponseMap.FinishReasonFrom(fields));
    }

    /// <summary>The text of a call without other resp items: the body, except for an embedding call, whose answer is its vectors.</summary>
    private static string BodyText(CallPlan call, byte[] body) => call.Embeddings is null ? Encoding.UTF8.GetString(body) : string.Empty;

    /// <summary>Reads a 2xx response's body whole (see <see cref="ReadBodyAsync"/>); a connection that fails meanwhile is an <see cref="LlmHttpException"/>.</summary>
    /// <exception cref="LlmHttpException">The connection failed while the body was read: transient, so retried like a network error.</exception>
    private async Task<byte[]> ReadWholeBodyAsync(HttpResponseMessage response, CallPlan call, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBodyAsync(response.Content, call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // A reset, or a body shorter than its Content-Length: the answer is incomplete, so it is an error and never
            // mapped. Not chained: the exception is only the transport's, and its message is quoted (redacted).
            var status = (int)response.StatusCode;
            throw new LlmHttpException(
                RedactorOf(response).Redact($"The vendor answered {status} to {call.DisplayName} for profile '{Settings.ProfileName}', but the connection failed while reading the body: {e.Message} Retrying may succeed."),
                status, null, null, null)
            { ConnectionFailed = true };
        }
    }

    /// <summary>Reads a body whole, bounded by the profile's MaxResponseBytes.</summary>
    /// <exception cref="IOException">The connection failed (also <see cref="HttpRequestException"/>); callers say what was being read.</exception>
    private async Task<byte[]> ReadBodyAsync(HttpContent content, CallPlan call, CancellationToken cancellationToken)
    {
        var limit = Settings.MaxResponseBytes;
        if (content.Headers.ContentLength is { } length && length > limit)
        {
            throw new LlmException($"The response to {call.DisplayName} is {length} bytes, more than the profile's MaxResponseBytes ({limit}). Raise MaxResponseBytes if this is expected.");
        }

        var bytes = await HttpErrors.ReadPrefixAsync(content, (int)Math.Min(limit + 1, Array.MaxLength), cancellationToken).ConfigureAwait(false);
        if (bytes.Length > limit)
        {
            throw new LlmException($"The response to {call.DisplayName} is more than the profile's MaxResponseBytes ({limit}) bytes. Raise MaxResponseBytes if this is expected.");
        }

        return bytes;
    }
}
