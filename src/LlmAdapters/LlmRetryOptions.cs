namespace LlmAdapters;

/// <summary>How a profile retries a failed request: attempts, backoff with jitter, which failures, and how long a vendor may ask it to wait.</summary>
/// <remarks>
/// Sync calls and the start of stream calls (until the response begins) are retried; a stream is never retried once text
/// has been yielded, and an async call's submit is never retried (its polls retry on their own). With several API keys,
/// a retry after 401, 403 or 429 goes to another key at once.
/// </remarks>
public sealed class LlmRetryOptions
{
    /// <summary>Retries after the first attempt; 2 by default, 0 for none.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first backoff delay, doubled on each retry (with jitter); 1 second by default.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay; 30 seconds by default.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether backoff delays are randomised so that many clients do not retry in step; true by default.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>HTTP statuses that are retried; 408, 429, 500, 502, 503, 504 and 529 (Overloaded) by default. Network errors are always retried.</summary>
    /// <remarks>A vendor's <c>x-should-retry: true</c> or <c>false</c> header, and an in-band error code the definition lists in <c>retry_codes</c>, override this list.</remarks>
    public List<int> StatusCodes { get; set; } = [408, 429, 500, 502, 503, 504, 529];

    /// <summary>The longest wait a vendor may ask for with Retry-After; asking for longer fails the call at once with the wait it asked for. 60 seconds by default.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    internal LlmRetryOptions Clone() => new()
    {
        MaxRetries = MaxRetries,
        BaseDelay = BaseDelay,
        MaxDelay = MaxDelay,
        UseJitter = UseJitter,
        StatusCodes = [.. StatusCodes],
        MaxRetryAfter = MaxRetryAfter,
    };
}
