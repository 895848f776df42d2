namespace LlmAdapters;

/// <summary>The base of every error LlmAdapters raises on purpose. Messages never contain secrets.</summary>
public class LlmException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlmException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public LlmException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
