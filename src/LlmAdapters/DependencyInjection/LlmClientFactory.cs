using LlmAdapters.Reliability;
using Microsoft.Extensions.Options;

namespace LlmAdapters.DependencyInjection;

/// <summary>Creates clients for configured profiles, each with its own named <see cref="HttpClient"/> from IHttpClientFactory.</summary>
internal sealed class LlmClientFactory(
    LlmCatalogProvider catalog,
    IOptionsMonitor<LlmAdaptersOptions> options,
    IHttpClientFactory httpClientFactory,
    Observability.LlmTelemetry telemetry,
    Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null,
    TimeProvider? timeProvider = null) : ILlmClientFactory
{
    private static readonly TimeSpan HttpClientDefaultTimeout = TimeSpan.FromSeconds(100);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Reliability.KeyPool> _keys = new(StringComparer.OrdinalIgnoreCase);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (LlmProfile Source, Execution.ClientSettings Resolved)> _resolved = new(StringComparer.OrdinalIgnoreCase);

    private readonly Microsoft.Extensions.Logging.ILogger? _logger = loggerFactory?.CreateLogger(Observability.LlmTelemetry.Name);

    public ILlmClient CreateClient(string profile)
    {
        var current = options.CurrentValue;
        if (current.Profiles.TryGetValue(profile ?? string.Empty, out var settings) && settings?.Fallbacks is { Count: > 0 } fallbacks)
        {
            // The chain: this profile, then its fallbacks in order (each without its own fallbacks, so chains cannot loop).
            var chain = new List<string> { profile! };
            chain.AddRange(fallbacks.Where(f => !chain.Contains(f, StringComparer.OrdinalIgnoreCase)));
            return new FallbackClient(profile!, chain, CreateSingle, _logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }

        return CreateSingle(profile!);
    }

    private ILlmClient CreateSingle(string profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var current = options.CurrentValue;
        if (!current.Profiles.TryGetValue(profile, out var settings))
        {
            throw new LlmConfigurationException(current.Profiles.Count == 0
                ? $"No LlmAdapters profile is configured, so '{profile}' cannot be found. Add one under LlmAdapters:Profiles in configuration, or with AddProfile."
                : $"No LlmAdapters profile is named '{profile}'{Internal.DidYouMean.Hint(profile, current.Profiles.Keys)}. Configured profiles: {string.Join(", ", current.Profiles.Keys.Order(StringComparer.OrdinalIgnoreCase))}.");
        }

        var httpClient = httpClientFactory.CreateClient(LlmAdaptersBuilder.GetHttpClientName(profile));
        if (httpClient.Timeout == HttpClientDefaultTimeout)
        {
            // The profile's Timeout governs the whole call; the factory default would cut long generations at 100 s.
            httpClient.Timeout = Timeout.InfiniteTimeSpan;
        }

        // Resolving a profile (its variables as JSON, its secrets, its retry pipelines) is done once per configuration:
        // the options object is replaced on reload, so a changed profile is resolved again for the next client.
        var resolved = _resolved.AddOrUpdate(
            profile,
            static (name, s) => (s.Settings, s.Factory.Resolve(name, s.Settings)),
            static (name, existing, s) => ReferenceEquals(existing.Source, s.Settings) ? existing : (s.Settings, s.Factory.Resolve(name, s.Settings)),
            (Settings: settings, Factory: this));
        return catalog.GetCatalog(current).CreateClient(resolved.Resolved, settings.Adapter, httpClient);
    }

    private Execution.ClientSettings Resolve(string profile, LlmProfile settings)
    {
        var loaded = catalog.GetCatalog(options.CurrentValue);
        _ = loaded.Describe(settings.Adapter); // an unknown adapter or preset fails here, with the lists of both
        var resolved = loaded.ResolveProfile(settings); // a preset's adapter, base URL and variables, under the profile's own
        return new Execution.ClientSettings(profile, resolved, timeProvider ?? TimeProvider.System, telemetry, _logger, SharedKeys(profile, resolved));
    }

    /// <summary>One key pool per profile for the life of the container, so every client knows which keys rest or were rejected; rebuilt when the configured keys change.</summary>
    private Reliability.KeyPool? SharedKeys(string profile, LlmProfile settings)
    {
        var fresh = Reliability.KeyPool.Create(profile, settings);
        if (fresh is null)
        {
            _keys.TryRemove(profile, out _);
            return null;
        }

        return _keys.AddOrUpdate(profile, fresh, (_, existing) => existing.Signature == fresh.Signature ? existing : fresh);
    }
}
