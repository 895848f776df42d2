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

    private readonly Microsoft.Extensions.Logging.ILogger? _logger = loggerFactory?.CreateLogger(Observability.LlmTelemetry.Name);

    public ILlmClient CreateClient(string profile)
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

        return catalog.GetCatalog(current).CreateClient(settings, httpClient, profile, timeProvider, telemetry, _logger);
    }
}
