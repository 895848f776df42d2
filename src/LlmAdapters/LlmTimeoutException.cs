namespace LlmAdapters;

/// <summary>A call did not finish within its timeout.</summary>
public sealed class LlmTimeoutException : LlmException
{
    /// <summary>Creates the exception.</summary>
    public LlmTimeoutException(string message, TimeSpan timeout, Exception? innerException = null)
        : base(message, innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The timeout that passed.</summary>
    public TimeSpan Timeout { get; }
}
