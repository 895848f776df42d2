namespace LlmAdapters.Streaming;

/// <summary>Raised inside the stream engine; the runner turns it into an <see cref="LlmStreamException"/> with the text received so far.</summary>
internal sealed class InvalidChunkException(string message, string? vendorMessage = null, string? vendorCode = null, Exception? inner = null) : Exception(message, inner)
{
    public string? VendorMessage { get; } = vendorMessage;

    public string? VendorCode { get; } = vendorCode;
}
