using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace LlmAdapters.Reliability;

/// <summary>
/// A profile's retry policy: which failures are retried, how long to wait before the next attempt, and the Polly
/// pipeline of each call that does it (exponential backoff with jitter, a vendor's Retry-After honoured up to
/// MaxRetryAfter, no wait when another key can take the next attempt).
/// </summary>
/// <remarks>One per profile settings, shared by every client made with them; thread-safe. The runner decides when to use it.</remarks>
internal sealed class RetryPolicy(LlmRetryOptions options, KeyPool? keys, TimeProvider time, ILogger logger, string profileName)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new(StringComparer.Ordinal);

    /// <summary>False when the profile asks for no retries.</summary>
    public bool Enabled => options.MaxRetries > 0;

    /// <summary>The pipeline of a call, built on first use.</summary>
    public ResiliencePipeline PipelineFor(string adapter, string call)
        => _pipelines.GetOrAdd(call, static (name, s) => s.Policy.Build(s.Adapter, name), (Policy: this, Adapter: adapter));

    public bool IsRetryable(LlmHttpException e)
    {
        if (e.RetryAfter is { } wait && wait > options.MaxRetryAfter)
        {
            return false; // the vendor asks for longer than the caller should hang: fail now, with the wait it asked for
        }

        if (e.ShouldRetry is { } vendorSays && !e.ConnectionFailed && e.StatusCode != 0)
        {
            // The vendor's x-should-retry header, or an in-band code the definition lists in retry_codes, decides.
            return vendorSays;
        }

        if (e.StatusCode == 0 || e.ConnectionFailed || options.StatusCodes.Contains(e.StatusCode))
        {
            return true;
        }

        // A rejected key is worth retrying only with another key.
        return e.StatusCode is 401 or 403 && keys is not null && keys.Entries.Any(k => k.IsUsable(time.GetUtcNow()));
    }

    /// <summary>No wait when the profile rotates keys and a key was turned away; the vendor's Retry-After when it gave one; else the backoff.</summary>
    private TimeSpan? Delay(LlmHttpException? e)
    {
        if (e is null)
        {
            return null;
        }

        if (e.StatusCode is 401 or 403 or 429 && keys is not null)
        {
            // With several keys the next attempt takes another key at once, or, when every key rests, fails at once
            // with an LlmRateLimitedException saying when the first is usable: no waiting on a key that was turned away.
            return TimeSpan.Zero;
        }

        return e.RetryAfter;
    }

    private ResiliencePipeline Build(string adapter, string call)
    {
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
                Observability.Log.Retrying(logger, adapter, call, profileName, args.AttemptNumber + 1, reason, args.RetryDelay.TotalMilliseconds);
                return default;
            },
        };
        return new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(retry).Build();
    }
}
