using System.Collections.Concurrent;
using LlmAdapters;
using Microsoft.Extensions.Options;

namespace Gateway;

/// <summary>One <see cref="ILlmClient"/> per profile, kept for the gateway's life and dropped when the configuration changes.</summary>
/// <remarks>
/// A client holds its profile's key rotation (which keys were rejected, which rest after a 429), so the gateway keeps one
/// per profile instead of creating one per request — otherwise every request would start with a fresh rotation and
/// retry a rejected key again. A changed configuration (a new key) gives new clients.
/// </remarks>
internal sealed class ProfileClients : IDisposable
{
    private readonly ConcurrentDictionary<string, ILlmClient> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILlmClientFactory _factory;
    private readonly IOptionsMonitor<LlmAdaptersOptions> _options;
    private readonly IDisposable? _subscription;

    public ProfileClients(ILlmClientFactory factory, IOptionsMonitor<LlmAdaptersOptions> options)
    {
        _factory = factory;
        _options = options;
        _subscription = options.OnChange(_ => _clients.Clear());
    }

    /// <summary>The configured profiles, by name: the gateway's models.</summary>
    public IReadOnlyDictionary<string, LlmProfile> Profiles => _options.CurrentValue.Profiles;

    /// <summary>The profile's real name (as configured) when <paramref name="model"/> names one, ignoring case.</summary>
    public string? Find(string model)
        => _options.CurrentValue.Profiles.Keys.FirstOrDefault(name => string.Equals(name, model, StringComparison.OrdinalIgnoreCase));

    public ILlmClient Get(string profile) => _clients.GetOrAdd(profile, static (name, factory) => factory.CreateClient(name), _factory);

    public void Dispose() => _subscription?.Dispose();
}
