namespace LlmAdapters;

/// <summary>The options or a profile are invalid: unknown profile or adapter, missing base URL, bad settings.</summary>
public sealed class LlmConfigurationException : LlmException
{
    /// <summary>Creates the exception.</summary>
    public LlmConfigurationException(string message)
        : base(message)
    {
    }
}
