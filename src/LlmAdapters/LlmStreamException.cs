namespace LlmAdapters;

/// <summary>A stream failed after it started: the connection dropped, the body ended without its end marker, a chunk was not valid JSON, a line was too long, or the vendor sent an error inside the stream.</summary>
/// <remarks>The text already yielded stays with the consumer; <see cref="ReceivedText"/> holds it too. Secrets are masked.</remarks>
public sealed class LlmStreamException : LlmVendorException
{
    /// <summary>Creates the exception; set the vendor's message and code with an object initializer.</summary>
    public LlmStreamException(string message, string receivedText)
        : base(message, vendorMessage: null, vendorCode: null, innerException: null)
    {
        ReceivedText = receivedText;
    }

    internal LlmStreamException(string message, string receivedText, string? vendorMessage = null, string? vendorCode = null, Exception? innerException = null)
        : base(message, vendorMessage, vendorCode, innerException)
    {
        ReceivedText = receivedText;
    }

    /// <summary>The text received before the failure: all of it for <see cref="ILlmClient.CallAsync"/>; for the streaming methods, whose consumer already has the text, the last 65,536 characters at most, so that memory stays flat on streams of any length.</summary>
    public string ReceivedText { get; }

    /// <summary>
    /// True when the vendor's error inside the stream has a code its definition declares worth a retry
    /// (<c>error.retry_codes</c>, such as a rate-limit code). A stream that has started is never retried by the library,
    /// since part of the answer may already be with the consumer: retry the call yourself (or let a fallback take it).
    /// </summary>
    public bool ShouldRetry { get; init; }
}
