namespace LlmAdapters;

/// <summary>The base of the errors that carry the vendor's own error message and code when it sent one: <see cref="LlmHttpException"/>, <see cref="LlmStreamException"/> and <see cref="LlmPollException"/>.</summary>
/// <remarks>Catch <see cref="LlmException"/> for every error of the library, or this type to read <see cref="VendorMessage"/> and <see cref="VendorCode"/> whichever way the call failed. Only the library derives from it.</remarks>
public abstract class LlmVendorException : LlmException
{
    private protected LlmVendorException(string message, string? vendorMessage, string? vendorCode, Exception? innerException)
        : base(message, innerException)
    {
        VendorMessage = vendorMessage;
        VendorCode = vendorCode;
    }

    /// <summary>The vendor's own error message (where the definition's <c>error</c>, or <c>query_error</c>, says it is), when it sent one.</summary>
    public string? VendorMessage { get; init; }

    /// <summary>The vendor's error code or type, when it sent one.</summary>
    public string? VendorCode { get; init; }
}
