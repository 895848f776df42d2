using System.Collections.Frozen;
using System.Reflection;
using LlmAdapters.Compilation;
using LlmAdapters.Execution;
using LlmAdapters.Templates;

namespace LlmAdapters;

/// <summary>A set of loaded and compiled adapters, from which clients are created.</summary>
/// <remarks>Immutable and thread-safe. Build one with <see cref="LlmCatalogBuilder"/> or the <c>From...</c> shortcuts, once, and keep it.</remarks>
public sealed class LlmCatalog
{
    private static readonly Lazy<LlmCatalog> BuiltInCatalog = new(() => new LlmCatalogBuilder().AddBuiltInAdapters().Build());

    private readonly FrozenDictionary<string, AdapterPlan> _adapters;

    internal LlmCatalog(IDictionary<string, AdapterPlan> adapters, IReadOnlyList<LlmDefinitionProblem>? problems = null)
    {
        _adapters = adapters.ToFrozenDictionary(StringComparer.Ordinal);
        Problems = problems ?? [];
    }

    /// <summary>The problems of the files that were left out because they are invalid (only with <see cref="LlmCatalogBuilder.SkipInvalidFiles"/>; otherwise empty).</summary>
    public IReadOnlyList<LlmDefinitionProblem> Problems { get; }

    /// <summary>The adapters shipped inside the package.</summary>
    public static LlmCatalog BuiltIn => BuiltInCatalog.Value;

    /// <summary>The names of the adapters, as profiles refer to them.</summary>
    public IReadOnlyCollection<string> Adapters => _adapters.Keys;

    /// <summary>Loads every definition file of a folder.</summary>
    /// <exception cref="LlmDefinitionException">A file is invalid.</exception>
    public static LlmCatalog FromDirectory(string path) => new LlmCatalogBuilder().AddDirectory(path).Build();

    /// <summary>Loads one definition file.</summary>
    /// <exception cref="LlmDefinitionException">The file is invalid.</exception>
    public static LlmCatalog FromFile(string path) => new LlmCatalogBuilder().AddFile(path).Build();

    /// <summary>Loads a definition given as JSON text.</summary>
    /// <exception cref="LlmDefinitionException">The definition is invalid.</exception>
    public static LlmCatalog FromJson(string json, string sourceName = "inline.json") => new LlmCatalogBuilder().AddJson(json, sourceName).Build();

    /// <summary>Loads a definition embedded in an assembly.</summary>
    /// <exception cref="LlmDefinitionException">The resource is missing or invalid.</exception>
    public static LlmCatalog FromEmbeddedResource(Assembly assembly, string resourceName) => new LlmCatalogBuilder().AddEmbeddedResource(assembly, resourceName).Build();

    /// <summary>True when an adapter of this name is loaded.</summary>
    public bool Contains(string adapter) => _adapters.ContainsKey(adapter);

    /// <summary>The call names of an adapter.</summary>
    /// <exception cref="LlmConfigurationException">No adapter has this name.</exception>
    public IReadOnlyCollection<string> GetCalls(string adapter) => GetAdapter(adapter).Calls.Keys;

    /// <summary>Describes every call of an adapter: apitype, variables, required variables, inputs, source.</summary>
    /// <exception cref="LlmConfigurationException">No adapter has this name.</exception>
    public IReadOnlyList<LlmCallInfo> Describe(string adapter)
        => [.. GetAdapter(adapter).Calls.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Describe())];

    /// <summary>The apitype of a call.</summary>
    /// <exception cref="LlmConfigurationException">No adapter or call has this name.</exception>
    public LlmApiType GetApiType(string adapter, string call)
    {
        var plan = GetAdapter(adapter);
        if (plan.Calls.TryGetValue(call, out var callPlan))
        {
            return callPlan.ApiType;
        }

        var hint = Internal.DidYouMean.Hint(call, plan.Calls.Keys);
        throw new LlmConfigurationException($"Adapter '{adapter}' has no call '{call}'{(hint.Length > 0 ? hint : ".")} Its calls: {string.Join(", ", plan.Calls.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>Creates a client for a profile, sending through <paramref name="httpClient"/>.</summary>
    /// <remarks>The client does not dispose <paramref name="httpClient"/>. The profile is copied: later changes to it do not affect the client.</remarks>
    /// <exception cref="LlmConfigurationException">The profile names an unknown adapter or has an invalid base URL.</exception>
    public ILlmClient CreateClient(LlmProfile profile, HttpClient httpClient, TimeProvider? timeProvider = null)
        => CreateClient(profile, httpClient, profileName: profile?.Adapter ?? string.Empty, timeProvider);

    /// <summary>Creates a client for a profile, sending through <paramref name="handler"/>.</summary>
    /// <remarks>The client does not dispose <paramref name="handler"/>.</remarks>
    /// <exception cref="LlmConfigurationException">The profile names an unknown adapter or has an invalid base URL.</exception>
    public ILlmClient CreateClient(LlmProfile profile, HttpMessageHandler handler, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return CreateClient(profile, new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan }, timeProvider);
    }

    /// <summary>Creates a client for a profile, sending through <paramref name="httpClient"/> and logging to <paramref name="loggerFactory"/> (category <c>LlmAdapters</c>).</summary>
    /// <remarks>The client does not dispose <paramref name="httpClient"/>. Metrics and traces go to the shared <c>LlmAdapters</c> Meter and ActivitySource.</remarks>
    /// <exception cref="LlmConfigurationException">The profile names an unknown adapter or has an invalid base URL.</exception>
    public ILlmClient CreateClient(LlmProfile profile, HttpClient httpClient, TimeProvider? timeProvider, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory)
        => CreateClient(profile, httpClient, profile?.Adapter ?? string.Empty, timeProvider, null, loggerFactory?.CreateLogger(Observability.LlmTelemetry.Name));

    internal ILlmClient CreateClient(LlmProfile profile, HttpClient httpClient, string profileName, TimeProvider? timeProvider, Observability.LlmTelemetry? telemetry = null, Microsoft.Extensions.Logging.ILogger? logger = null, Reliability.KeyPool? keys = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(httpClient);
        var adapter = GetAdapter(profile.Adapter, profileName);
        var settings = new ClientSettings(profileName, profile.Clone(), timeProvider ?? TimeProvider.System, telemetry, logger, keys);
        return new LlmClient(adapter, new PlanRunner(httpClient, settings));
    }

    /// <summary>A client over settings resolved earlier (the DI factory keeps them per profile until the configuration changes).</summary>
    internal ILlmClient CreateClient(ClientSettings settings, string adapter, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return new LlmClient(GetAdapter(adapter, settings.ProfileName), new PlanRunner(httpClient, settings));
    }

    internal AdapterPlan GetAdapter(string adapter, string? profileName = null)
    {
        if (_adapters.TryGetValue(adapter ?? string.Empty, out var plan))
        {
            return plan;
        }

        var who = profileName is null ? string.Empty : $" (profile '{profileName}')";
        throw new LlmConfigurationException(string.IsNullOrEmpty(adapter)
            ? $"The profile{who} names no Adapter; set Adapter to one of: {string.Join(", ", _adapters.Keys.Order(StringComparer.Ordinal))}."
            : $"No adapter is named '{adapter}'{who}{Internal.DidYouMean.Hint(adapter, _adapters.Keys)}. Loaded adapters: {string.Join(", ", _adapters.Keys.Order(StringComparer.Ordinal))}.");
    }
}
