
using LlmAdapters.Compilation;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

/// <summary>Runs call plans over HTTP for one client: builds the request, sends it with the profile's timeout, maps the response or raises the right error.</summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
internal sealed partial class PlanRunner(HttpClient httpClient, ClientSettings settings)
{
    public ClientSettings Settings { get; } = settings;

    /// <summary>The variables of one request: the request's own, the standard ones (and an embedding request's), the rotated key's (when the profile has several), then the profile's.</summary>
    public VariableScope CreateScope(LlmRequest request, Reliability.KeyEntry? key = null)
        => new(CallRedactor(request), StandardVariables.FromUser(request.Variables), StandardVariables.From(request), EmbeddingVariables.From(request), key?.Variables, Settings.ProfileVariables) { SecretNames = Settings.SecretVariableNames };

    /// <summary>The profile's redactor, plus the request's own secret variables (an <c>apikey</c> given per request) when it has any.</summary>
    private Internal.SecretRedactor CallRedactor(LlmRequest request)
    {
        if (request.Variables.Count == 0)
        {
            return Settings.Redactor;
        }

        List<string>? secrets = null;
        foreach (var (name, value) in request.Variables)
        {
            var text = value switch
            {
                string s => s,
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } e => e.GetString(),
                _ => null,
            };
            if (text is not null && Internal.SecretRedactor.IsSecretName(name, Settings.SecretVariableNames))
            {
                (secrets ??= []).Add(text);
            }
        }

        return secrets is null ? Settings.Redactor : Settings.Redactor.With(secrets);
    }

    /// <summary>
    /// Sends a request and returns the response once its headers have arrived; a non-2xx status becomes an <see cref="LlmHttpException"/>.
    /// Redirects are followed within the request's origin only (<see cref="Redirects"/>).
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CallPlan call, CancellationToken cancellationToken)
    {
        var redactor = request.Options.TryGetValue(RequestBuilder.RedactorKey, out var callRedactor) ? callRedactor : Settings.Redactor;
        var origin = request.RequestUri!;
        var sent = request;
        var response = await SendOnceAsync(sent, call, redactor, cancellationToken).ConfigureAwait(false);
        redactor = RedactorOf(sent, redactor); // a signed request's redactor also knows what its signature derived
        for (var hop = 0; Redirects.IsRedirect(response.StatusCode); hop++)
        {
            using (response)
            {
                sent = Redirects.Follow(sent, response, origin, hop, call, Settings, redactor);
            }

            response = await SendOnceAsync(sent, call, redactor, cancellationToken).ConfigureAwait(false);
            redactor = RedactorOf(sent, redactor);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await HttpErrors.FromResponseAsync(response, call, Settings, cancellationToken, redactor).ConfigureAwait(false);
            }
        }

        return response;
    }

    /// <summary>One HTTP exchange: a network failure becomes an <see cref="LlmHttpException"/> with status 0, an answer from another origin than the one asked is refused.</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CallPlan call, Internal.SecretRedactor redactor, CancellationToken cancellationToken)
    {
        // Read before sending: a handler that follows redirects itself changes the request's URI.
        var uri = request.RequestUri!;
        if (request.Options.TryGetValue(RequestSigning.Key, out var signing))
        {
            redactor = await signing.SignAsync(request, Settings.TimeProvider.GetUtcNow(), call, redactor, cancellationToken).ConfigureAwait(false);
        }

        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new LlmHttpException(
                redactor.Redact($"Could not reach the vendor for {call.DisplayName} (profile '{Settings.ProfileName}', {Internal.UrlText.Origin(uri)}): {e.Message}"),
                0, null, null, null);
        }

        if (Redirects.FollowedElsewhere(uri, response, call, Settings, redactor) is { } refused)
        {
            response.Dispose();
            throw refused;
        }

        // HttpClient leaves it to the handler; the call's redactor is found through it (RedactorOf).
        response.RequestMessage ??= request;
        return response;
    }

    private static Internal.SecretRedactor RedactorOf(HttpRequestMessage request, Internal.SecretRedactor fallback)
        => request.Options.TryGetValue(RequestBuilder.RedactorKey, out var redactor) ? redactor : fallback;

    /// <summary>The redactor of the call a response answers: the profile's secrets and the request's own.</summary>
    private Internal.SecretRedactor RedactorOf(HttpResponseMessage response)
        => response.RequestMessage is { } sent && sent.Options.TryGetValue(RequestBuilder.RedactorKey, out var redactor) ? redactor : Settings.Redactor;

    /// <summary>Runs <paramref name="action"/> under the profile's total timeout, turning its expiry into an <see cref="LlmTimeoutException"/>.</summary>
    private async Task<T> WithTimeoutAsync<T>(CallPlan call, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        // One token source in the usual cases (a timeout and no caller token, or a caller token and no timeout): linking
        // two is needed only when there are both.
        using var timeout = Settings.Timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(Settings.Timeout, Settings.TimeProvider);
        using var linked = timeout is not null && cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token) : null;
        try
        {
            return await action(linked?.Token ?? timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && Expired(call, e, "did not finish", timeout) is { } expired)
        {
            throw expired;
        }
    }

    /// <summary>
    /// The one translation of an expired timeout into an <see cref="LlmTimeoutException"/> that says which one expired: the
    /// stream's StreamTimeout, the profile's Timeout, or the HttpClient's own Timeout (a client the caller gave us). Null
    /// when none did: the cancellation is then not a timeout of ours, and is rethrown as it is.
    /// </summary>
    /// <param name="call">The call, for the message.</param>
    /// <param name="e">The cancellation that stopped it.</param>
    /// <param name="what">What the call had not done: "did not finish", "got no response headers".</param>
    /// <param name="timeout">The source of the profile's Timeout, if one was made.</param>
    /// <param name="streamTimeout">The source of the profile's StreamTimeout, if one was made.</param>
    private LlmTimeoutException? Expired(CallPlan call, OperationCanceledException e, string what, CancellationTokenSource? timeout, CancellationTokenSource? streamTimeout = null)
    {
        var subject = Capitalize(call.DisplayName);
        if (streamTimeout is { IsCancellationRequested: true })
        {
            return new LlmTimeoutException($"{subject} {what} within the StreamTimeout of {Settings.StreamTimeout.TotalSeconds:0.###} s of profile '{Settings.ProfileName}'. Raise the profile's StreamTimeout if the answers are long.", Settings.StreamTimeout, e);
        }

        if (timeout is { IsCancellationRequested: true })
        {
            return new LlmTimeoutException($"{subject} {what} within the timeout of {Settings.Timeout.TotalSeconds:0.###} s of profile '{Settings.ProfileName}'. Raise the profile's Timeout if the vendor is slow.", Settings.Timeout, e);
        }

        return e.InnerException is TimeoutException
            ? new LlmTimeoutException($"{subject} {what} within the HttpClient's Timeout (profile '{Settings.ProfileName}'). Raise HttpClient.Timeout or the profile's Timeout.", httpClient.Timeout, e)
            : null;
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
