namespace LlmAdapters;

/// <summary>A stream failed after it started: the connection dropped, the body ended without its end marker, a chunk was not valid JSON, a line was too long, or the vendor sent an error inside the stream.</summary>
/// <remarks>The text already yielded stays with the consumer; <see cref="ReceivedText"/> holds it too. Secrets are masked.</remarks>
public sealed class LlmStreamException : LlmException
{
    /// <summary>Creates the exception.</summary>
    public LlmStreamException(string message, string receivedText, string? vendorMessage = null, string? vendorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ReceivedText = receivedText;
        VendorMessage = vendorMessage;
        VendorCode = vendorCode;
    }

    /// <summary>The text received before the failure: all of it for <see cref="ILlmClient.CallAsync"/>; for the streaming methods, whose consumer already has the text, the last 65,536 characters at most, so that memory stays flat on streams of any length.</summary>
    public string ReceivedText { get; }

    /// <summary>The vendor's error message, when the vendor sent an error inside the stream.</summary>
    public string? VendorMessage { get; }

    /// <summary>The vendor's error code, when the vendor sent an error inside the stream.</summary>
    public string? VendorCode { get; }
}
