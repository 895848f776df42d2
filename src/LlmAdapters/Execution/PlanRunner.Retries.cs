using LlmAdapters.Compilation;
using LlmAdapters.Reliability;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>
    /// Runs <paramref name="attempt"/> with the profile's retry policy (<see cref="RetryPolicy"/>, in Reliability: which
    /// failures, how long to wait, the Polly pipeline); with several keys each attempt takes the next usable key and
    /// accounts for it.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(CallPlan call, LlmRequest request, Func<VariableScope, CancellationToken, Task<T>> attempt, bool retry, CancellationToken cancellationToken)
    {
        attempt = WithToken(call, attempt);
        var policy = Settings.RetryPolicy;
        if (!retry || !policy.Enabled)
        {
            return await AttemptAsync(call, request, attempt, cancellationToken).ConfigureAwait(false);
        }

        // The first attempt runs outside the pipeline: a call that succeeds (nearly all of them) pays nothing for retries.
        // Without a key pool there is no key to account for, so the attempt runs without the AttemptAsync frame.
        LlmHttpException first;
        try
        {
            return await (Settings.Keys is null
                ? attempt(CreateScope(request), cancellationToken)
                : AttemptAsync(call, request, attempt, cancellationToken)).ConfigureAwait(false);
        }
        catch (LlmHttpException e) when (policy.IsRetryable(e))
        {
            first = e;
        }

        // The pipeline then replays that failure as its own first outcome, so the backoff, Retry-After, the retry log and
        // the number of attempts are what they would be had it run the first attempt itself.
        // Built once per profile settings and call (clients of a profile share their settings), not per request.
        var pipeline = policy.PipelineFor(call.Adapter, call.Name);
        var state = new RetryState<T>(this, call, request, attempt, first);
        return await pipeline.ExecuteAsync(
            static (s, token) => s.NextAsync(token),
            state,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the retry pipeline runs: the failure of the attempt made before it, then new attempts.</summary>
    private sealed class RetryState<T>(PlanRunner runner, CallPlan call, LlmRequest request, Func<VariableScope, CancellationToken, Task<T>> attempt, LlmHttpException first)
    {
        private LlmHttpException? _first = first;

        public ValueTask<T> NextAsync(CancellationToken cancellationToken)
        {
            if (_first is { } replay)
            {
                _first = null;
                return ValueTask.FromException<T>(replay);
            }

            return new ValueTask<T>(runner.AttemptAsync(call, request, attempt, cancellationToken));
        }
    }

    private async Task<T> AttemptAsync<T>(CallPlan call, LlmRequest request, Func<VariableScope, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var keys = Settings.Keys;
        var key = keys?.Acquire(Settings.TimeProvider.GetUtcNow());
        try
        {
            var result = await attempt(CreateScope(request, key), cancellationToken).ConfigureAwait(false);
            if (key is not null)
            {
                Settings.Telemetry.RecordKeyUse(Settings.ProfileName, key.Fingerprint, "ok");
            }

            return result;
        }
        catch (LlmHttpException e) when (keys is not null && key is not null)
        {
            Settings.Telemetry.RecordKeyUse(Settings.ProfileName, key.Fingerprint, e.StatusCode switch { 401 or 403 => "rejected", 429 => "rate_limited", _ => "error" });
            if (keys.Failed(key, e.StatusCode, e.RetryAfter, Settings.TimeProvider.GetUtcNow()) is { } change)
            {
                Observability.Log.KeyHealth(Settings.Logger, Settings.ProfileName, key.Fingerprint, change);
            }

            throw new LlmHttpException(e.Message, e.StatusCode, e.VendorMessage, e.VendorCode, e.ResponseExcerpt, e.RetryAfter) { KeyFingerprint = key.Fingerprint, ConnectionFailed = e.ConnectionFailed, ShouldRetry = e.ShouldRetry };
        }
    }
}
