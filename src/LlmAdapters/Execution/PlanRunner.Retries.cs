using LlmAdapters.Compilation;
using LlmAdapters.Reliability;
using LlmAdapters.Templates;
using Polly;
using Polly.Retry;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>
    /// Runs <paramref name="attempt"/> with the profile's retry policy (Polly): network errors and the configured statuses
    /// are retried with exponential backoff and jitter, a vendor's Retry-After is honoured up to MaxRetryAfter (a longer
    /// wait fails at once), and with several keys each attempt takes the next usable key — a retry after 401, 403 or 429
    /// goes to another key without waiting.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(CallPlan call, LlmRequest request, Func<VariableScope, CancellationToken, Task<T>> attempt, bool retry, CancellationToken cancellationToken)
    {
        if (!retry || Settings.Retry.MaxRetries <= 0)
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
        catch (LlmHttpException e) when (IsRetryable(e))
        {
            first = e;
        }

        // The pipeline then replays that failure as its own first outcome, so the backoff, Retry-After, the retry log and
        // the number of attempts are what they would be had it run the first attempt itself.
        // Built once per profile settings and call (clients of a profile share their settings), not per request.
        var pipeline = Settings.RetryPipelines.GetOrAdd(call.Name, static (_, s) => s.Runner.BuildPipeline(s.Call), (Runner: this, Call: call));
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

            throw new LlmHttpException(e.Message, e.StatusCode, e.VendorMessage, e.VendorCode, e.ResponseExcerpt, e.RetryAfter) { KeyFingerprint = key.Fingerprint, ConnectionFailed = e.ConnectionFailed };
        }
    }

    private ResiliencePipeline BuildPipeline(CallPlan call)
    {
        var options = Settings.Retry;
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            UseJitter = options.UseJitter,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is LlmHttpException e && IsRetryable(e)),
            DelayGenerator = args => ValueTask.FromResult(Delay(args.Outcome.Exception as LlmHttpException)),
            OnRetry = args =>
            {
                var reason = args.Outcome.Exception is LlmHttpException { StatusCode: > 0, ConnectionFailed: false } http ? $"HTTP {http.StatusCode}" : "network error";
                Observability.Log.Retrying(Settings.Logger, call.Adapter, call.Name, Settings.ProfileName, args.AttemptNumber + 1, reason, args.RetryDelay.TotalMilliseconds);
                return default;
            },
        };
        return new ResiliencePipelineBuilder { TimeProvider = Settings.TimeProvider }.AddRetry(retry).Build();
    }

    private bool IsRetryable(LlmHttpException e)
    {
        if (e.RetryAfter is { } wait && wait > Settings.Retry.MaxRetryAfter)
        {
            return false; // the vendor asks for longer than the caller should hang: fail now, with the wait it asked for
        }

        if (e.StatusCode == 0 || e.ConnectionFailed || Settings.Retry.StatusCodes.Contains(e.StatusCode))
        {
            return true;
        }

        // A rejected key is worth retrying only with another key.
        return e.StatusCode is 401 or 403 && Settings.Keys is { } keys && keys.Entries.Any(k => k.IsUsable(Settings.TimeProvider.GetUtcNow()));
    }

    /// <summary>No wait when the profile rotates keys and a key was turned away; the vendor's Retry-After when it gave one; else the backoff.</summary>
    private TimeSpan? Delay(LlmHttpException? e)
    {
        if (e is null)
        {
            return null;
        }

        if (e.StatusCode is 401 or 403 or 429 && Settings.Keys is not null)
        {
            // With several keys the next attempt takes another key at once, or, when every key rests, fails at once
            // with an LlmRateLimitedException saying when the first is usable: no waiting on a key that was turned away.
            return TimeSpan.Zero;
        }

        return e.RetryAfter;
    }
}
