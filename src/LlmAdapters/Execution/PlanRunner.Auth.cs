using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmAdapters.Auth;
using LlmAdapters.Compilation;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>
    /// A call's attempts with its <c>auth</c> token: the cached one for the credential (<see cref="TokenCache"/>: one token
    /// call however many calls wait), given as <c>${access_token}</c> and masked as a secret. When the vendor refuses it
    /// (HTTP 401, or an in-band code of <c>refresh_codes</c>), one new token and one more try; a second refusal is the error.
    /// </summary>
    private Func<VariableScope, CancellationToken, Task<T>> WithToken<T>(CallPlan call, Func<VariableScope, CancellationToken, Task<T>> attempt)
    {
        if (call.Auth is not { } auth)
        {
            return attempt;
        }

        return async (scope, cancellationToken) =>
        {
            var credential = Credential(auth, scope);
            var token = await Settings.Tokens.GetAsync(credential, () => FetchTokenAsync(call, auth, scope), cancellationToken).ConfigureAwait(false);
            try
            {
                return await attempt(WithTokenVariable(scope, token), cancellationToken).ConfigureAwait(false);
            }
            catch (LlmHttpException e) when (e.StatusCode == 401 || auth.IsRefreshCode(e.VendorCode))
            {
                Observability.Log.TokenRefused(Settings.Logger, call.Adapter, call.Name, Settings.ProfileName, e.StatusCode == 401 ? "HTTP 401" : $"error code {e.VendorCode}");
                Settings.Tokens.Invalidate(credential, token);
                var fresh = await Settings.Tokens.GetAsync(credential, () => FetchTokenAsync(call, auth, scope), cancellationToken).ConfigureAwait(false);
                return await attempt(WithTokenVariable(scope, fresh), cancellationToken).ConfigureAwait(false);
            }
        };
    }

    /// <summary>A stream call's answer that is a JSON body instead of the stream: when it is an in-band error with a refresh code, that error (so that <see cref="WithToken"/> refreshes); else the answer as it was (its body read into memory).</summary>
    private async Task<HttpResponseMessage> CheckTokenRefusedAsync(CallPlan call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (call.Auth is not { } auth || !ContentTypes.IsJson(response.Content.Headers.ContentType?.MediaType))
        {
            return response;
        }

        byte[] body;
        try
        {
            body = await ReadWholeBodyAsync(response, call, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (HttpErrors.TryParseValue(body, out var root) && call.Error.IsInBandError(root))
        {
            var (vendorMessage, vendorCode) = call.Error.Extract(root);
            if (auth.IsRefreshCode(vendorCode))
            {
                var redactor = RedactorOf(response);
                var status = (int)response.StatusCode;
                response.Dispose();
                throw HttpErrors.Create(status, "with an error in the body", vendorMessage, vendorCode, Encoding.UTF8.GetString(body), null, call, Settings, redactor);
            }
        }

        // Not a refusal: the stream reads the same answer from memory.
        var content = new ByteArrayContent(body);
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        content.Headers.ContentLength = body.Length;
        response.Content.Dispose();
        response.Content = content;
        return response;
    }

    private static VariableScope WithTokenVariable(VariableScope scope, AccessToken token)
    {
        var withToken = scope.With(new Dictionary<string, JsonElement>(1, StringComparer.Ordinal) { [AuthPlan.TokenVariable] = Internal.JsonValues.String(token.Value) });
        withToken.AddSecret(token.Value);
        return withToken;
    }

    /// <summary>Which credential a call's token is for: a hash of the token call and of the values its request reads (the key and the secret are not kept).</summary>
    private static string Credential(AuthPlan auth, VariableScope scope)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(auth.CacheScope));
        foreach (var name in auth.CredentialVariables)
        {
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            if (scope.TryGet(name, out var value))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(value.GetRawText()));
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>
    /// The token call: sends <c>auth</c>'s request and reads the token and its lifetime from the answer. It runs for every
    /// caller waiting (single flight), so under the profile's Timeout only, not a caller's token.
    /// </summary>
    /// <exception cref="LlmHttpException">The token call failed or its answer has no token; the message says it was the token call and quotes the vendor's message, never the key, the secret or a token.</exception>
    private async Task<AccessToken> FetchTokenAsync(CallPlan call, AuthPlan auth, VariableScope scope)
    {
        using var timeout = Settings.Timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(Settings.Timeout, Settings.TimeProvider);
        var cancellationToken = timeout?.Token ?? CancellationToken.None;
        var redactor = scope.Redactor;
        byte[] body;
        int status;
        string? mediaType;
        try
        {
            using var message = RequestBuilder.Build(auth.Request, scope, Settings, call);
            using var response = await SendAsync(message, call, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            mediaType = response.Content.Headers.ContentType?.MediaType;
            redactor = RedactorOf(response);
            body = await ReadWholeBodyAsync(response, call, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmHttpException e)
        {
            // The call's error map reads the chat's errors; a token endpoint answers as OAuth does (error, error_description).
            var (oauthMessage, oauthCode) = e.ResponseExcerpt is { } excerpt && HttpErrors.TryParseValue(Encoding.UTF8.GetBytes(excerpt), out var failure) ? OAuthError(failure) : (null, null);
            var vendorMessage = e.VendorMessage ?? oauthMessage;
            var reason = vendorMessage is null ? e.Message : $"the vendor answered {e.StatusCode}: {vendorMessage}";
            throw new LlmHttpException(redactor.Redact(TokenCallFailed(call, reason)), e.StatusCode, vendorMessage is null ? null : redactor.Redact(vendorMessage), e.VendorCode ?? (oauthCode is null ? null : redactor.Redact(oauthCode)), e.ResponseExcerpt, e.RetryAfter) { ConnectionFailed = e.ConnectionFailed, ShouldRetry = e.ShouldRetry };
        }
        catch (OperationCanceledException e) when (timeout is { IsCancellationRequested: true })
        {
            throw new LlmTimeoutException($"{TokenCallFailed(call, "it did not finish")} within the timeout of {Settings.Timeout.TotalSeconds:0.###} s of profile '{Settings.ProfileName}'.", Settings.Timeout, e);
        }

        if (!HttpErrors.TryParseValue(body, out var root))
        {
            var contentType = ContentTypes.Describe(mediaType);
            var what = body.Length == 0 ? $"with an empty body ({contentType})" : $"with {contentType} instead of JSON";
            throw new LlmHttpException(TokenCallFailed(call, $"the vendor answered {status} {what}, so there is no token"), status, null, null, null);
        }

        if (!auth.Token.TryEvaluate(root, out var tokenValue) || tokenValue.ValueKind != JsonValueKind.String || tokenValue.GetString() is not { Length: > 0 } token)
        {
            // OAuth errors can come in a 200 body: {"error": "invalid_client", "error_description": "..."}.
            var (vendorMessage, vendorCode) = OAuthError(root);
            var what = vendorMessage is null ? $"the vendor answered {status} without a token at '{auth.Token}'" : $"the vendor answered {status}: {vendorMessage}";
            throw new LlmHttpException(redactor.Redact(TokenCallFailed(call, what)), status, vendorMessage is null ? null : redactor.Redact(vendorMessage), vendorCode is null ? null : redactor.Redact(vendorCode), null);
        }

        TimeSpan? lifetime = null;
        if (auth.ExpiresIn.TryEvaluate(root, out var expiresIn) && Seconds(expiresIn) is { } seconds)
        {
            lifetime = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(3650).TotalSeconds));
        }

        return AccessToken.Create(token, Settings.TimeProvider.GetUtcNow(), lifetime);
    }

    private string TokenCallFailed(CallPlan call, string reason)
        => $"The token call (auth) of {call.DisplayName} for profile '{Settings.ProfileName}' failed, so the call was not sent: {reason}";

    private static double? Seconds(JsonElement value)
    {
        double seconds;
        if (value.ValueKind == JsonValueKind.Number)
        {
            seconds = value.GetDouble();
        }
        else if (value.ValueKind != JsonValueKind.String || !double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out seconds))
        {
            return null;
        }

        return seconds > 0 && double.IsFinite(seconds) ? seconds : null;
    }

    /// <summary>An OAuth error answer (RFC 6749 §5.2: <c>error</c>, <c>error_description</c>), or Baidu's <c>error_code</c> / <c>error_msg</c>.</summary>
    private static (string? Message, string? Code) OAuthError(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        string? Text(string name) => Internal.JsonNames.TryGetProperty(root, name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Internal.JsonValues.ToText(v) : null;
        var code = Text("error") ?? Text("error_code");
        var description = Text("error_description") ?? Text("error_msg");
        var message = description is null ? code : code is null ? description : $"{description} ({code})";
        return (message, code);
    }
}
