namespace LlmAdapters;

/// <summary>Every API key of a profile is resting after rate limits (or out of rotation), so no request was sent.</summary>
public sealed class LlmRateLimitedException : LlmException
{
    /// <summary>Creates the exception.</summary>
    public LlmRateLimitedException(string message, TimeSpan? retryAfter)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>When the first key will be usable again; null when every key is out of rotation (rejected with 401/403).</summary>
    public TimeSpan? RetryAfter { get; }
}
