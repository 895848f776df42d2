namespace LlmAdapters;

/// <summary>A request could not be built, so nothing was sent: an unknown call, a variable with no value, an input the call does not accept.</summary>
public sealed class LlmRequestException : LlmException
{
    /// <summary>Creates the exception.</summary>
    public LlmRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public LlmRequestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The variable that had no value, when that is why the request could not be built; tools use it to say how to give it (the CLI: <c>--var name=...</c>).</summary>
    public string? MissingVariable { get; internal init; }
}
