using LlmAdapters.Compilation;

namespace LlmAdapters.Execution;

/// <summary>Runs call plans over HTTP for one client: builds the request, sends it with the profile's timeout, maps the response or raises the right error.</summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
internal sealed partial class PlanRunner(HttpClient httpClient, ClientSettings settings)
{
    public ClientSettings Settings { get; } = settings;

    /// <summary>The variables of one request: the request's own, the standard ones, the rotated key's (when the profile has several), then the profile's.</summary>
    public VariableScope CreateScope(LlmRequest request, Reliability.KeyEntry? key = null)
        => new(Settings.Redactor, StandardVariables.FromUser(request.Variables), StandardVariables.From(request), key?.Variables, Settings.ProfileVariables);

    /// <summary>Sends a request and returns the response once its headers have arrived; a non-2xx status becomes an <see cref="LlmHttpException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CallPlan call, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new LlmHttpException(
                Settings.Redactor.Redact($"Could not reach the vendor for {call.DisplayName} (profile '{Settings.ProfileName}', {request.RequestUri?.GetLeftPart(UriPartial.Authority)}): {e.Message}"),
                0, null, null, null);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await HttpErrors.FromResponseAsync(response, call, Settings, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

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
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (timeout is { IsCancellationRequested: true })
            {
                throw new LlmTimeoutException($"{Capitalize(call.DisplayName)} did not finish within the timeout of {Settings.Timeout.TotalSeconds:0.###} s of profile '{Settings.ProfileName}'. Raise the profile's Timeout if the vendor is slow.", Settings.Timeout, e);
            }

            if (e.InnerException is TimeoutException)
            {
                // HttpClient.Timeout of a client the caller gave us.
                throw new LlmTimeoutException($"{Capitalize(call.DisplayName)} did not finish within the HttpClient's Timeout (profile '{Settings.ProfileName}'). Raise HttpClient.Timeout or the profile's Timeout.", httpClient.Timeout, e);
            }

            throw;
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
