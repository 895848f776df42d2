namespace LlmAdapters;

/// <summary>The vendor answered with an error: a non-2xx status, or an error inside a 2xx response where the definition says where errors live.</summary>
/// <remarks>Every configured secret is replaced by <c>***</c> in the message and the excerpt.</remarks>
public sealed class LlmHttpException : LlmVendorException
{
    /// <summary>Creates the exception; set the other details with an object initializer (for a fake client in tests: <c>new LlmHttpException("rate limited", 429) { RetryAfter = TimeSpan.FromSeconds(5) }</c>).</summary>
    public LlmHttpException(string message, int statusCode)
        : base(message, vendorMessage: null, vendorCode: null, innerException: null)
    {
        StatusCode = statusCode;
    }

    internal LlmHttpException(string message, int statusCode, string? vendorMessage, string? vendorCode, string? responseExcerpt, TimeSpan? retryAfter = null)
        : base(message, vendorMessage, vendorCode, innerException: null)
    {
        StatusCode = statusCode;
        ResponseExcerpt = responseExcerpt;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status code; 0 when the vendor could not be reached.</summary>
    public int StatusCode { get; }

    /// <summary>The start of the response body, secrets masked.</summary>
    public string? ResponseExcerpt { get; init; }

    /// <summary>How long the vendor asked to wait (Retry-After, retry-after-ms), when it did.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// True when the connection failed after the status arrived (a reset or a short body while the body was read):
    /// transient, retried by the profile's policy like a network error whatever <see cref="StatusCode"/> says.
    /// </summary>
    internal bool ConnectionFailed { get; init; }

    /// <summary>
    /// The vendor's own word on a retry, which overrides the status rule of the retry policy: its <c>x-should-retry</c>
    /// header (true or false), or true for an error code the definition lists in <c>retry_codes</c>; null when it said nothing.
    /// </summary>
    public bool? ShouldRetry { get; init; }

    /// <summary>The short fingerprint (<c>key#1a2b3c4d</c>) of the API key the request used, when the profile rotates several keys; never the key.</summary>
    public string? KeyFingerprint { get; init; }
}
