namespace LlmAdapters;

/// <summary>Creates clients for the profiles configured with <c>AddLlmAdapters</c>.</summary>
public interface ILlmClientFactory
{
    /// <summary>Creates a client for a configured profile, with the profile's current settings.</summary>
    /// <remarks>Clients are cheap; create one per use or keep one. Settings changed in configuration apply to clients created afterwards.</remarks>
    /// <exception cref="LlmConfigurationException">No profile has this name, or the profile names an unknown adapter.</exception>
    ILlmClient CreateClient(string profile);
}
