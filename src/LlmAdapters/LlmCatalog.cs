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

    // Plain dictionaries, never changed after the constructor: frozen ones cost a cold start milliseconds to create, for a
    // dozen entries looked up once per client.
    private readonly Dictionary<string, AdapterEntry> _adapters;

    // The presets: those of the load's files, or all of them once something asks for a preset or an adapter by name when
    // the shipped ones wait for that (the builder's rules add them; the shipped presets file is read then, so that a load
    // parses no JSON). Two threads may both read it; either table is the same, and the first one published is kept.
    private readonly Func<Dictionary<string, Definitions.PresetDefinition>>? _readPresets;
    private Dictionary<string, Definitions.PresetDefinition>? _presets;

    internal LlmCatalog(IDictionary<string, AdapterEntry> adapters, IReadOnlyList<LlmDefinitionProblem>? problems = null, IReadOnlyDictionary<string, Definitions.PresetDefinition>? presets = null, Func<Dictionary<string, Definitions.PresetDefinition>>? readPresets = null)
    {
        _adapters = new Dictionary<string, AdapterEntry>(adapters, StringComparer.Ordinal);
        _readPresets = readPresets;
        _presets = readPresets is not null ? null : presets is null ? new(StringComparer.Ordinal) : new(presets, StringComparer.Ordinal);
        Problems = problems ?? [];
    }

    /// <summary>Whether the presets are all known: false while the shipped ones wait for their first use.</summary>
    internal bool PresetsRead => Volatile.Read(ref _presets) is not null;

    private Dictionary<string, Definitions.PresetDefinition> PresetTable
        => Volatile.Read(ref _presets) ?? ReadPresets();

    private Dictionary<string, Definitions.PresetDefinition> ReadPresets()
    {
        var table = _readPresets!();
        return Interlocked.CompareExchange(ref _presets, table, null) ?? table;
    }

    /// <summary>The problems of the files that were left out because they are invalid (only with <see cref="LlmCatalogBuilder.SkipInvalidFiles"/>; otherwise empty).</summary>
    public IReadOnlyList<LlmDefinitionProblem> Problems { get; }

    /// <summary>The adapters shipped inside the package.</summary>
    /// <remarks>Built on first use; each adapter is compiled the first time a client or a description needs it, and the presets are read the first time one is looked up.</remarks>
    public static LlmCatalog BuiltIn => BuiltInCatalog.Value;

    /// <summary>The names of the adapters, as profiles refer to them.</summary>
    public IReadOnlyCollection<string> Adapters => _adapters.Keys;

    /// <summary>The presets (named hosts such as <c>deepseek</c> or <c>groq</c>) a profile's <see cref="LlmProfile.Adapter"/> may name instead of an adapter, by name.</summary>
    /// <remarks>Made on first use: each preset's <see cref="LlmPresetInfo.Source"/> line is found by reading its file again, which a load need not pay for. The shipped presets are read on the first use of a preset or of an adapter by name; a user's preset or adapter of a shipped preset's name replaces it.</remarks>
    public IReadOnlyList<LlmPresetInfo> Presets => _presetInfos ??= [.. PresetTable.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new LlmPresetInfo(p.Name, p.Adapter, p.BaseUrl, p.Description, p.Variables, p.Location.Describe()))];

    // Two threads may both make the list on first use; either list is the same.
    private IReadOnlyList<LlmPresetInfo>? _presetInfos;

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

    /// <summary>
    /// The profile a client runs with: when <see cref="LlmProfile.Adapter"/> names a preset, a copy whose adapter is the
    /// preset's, whose base URL is the profile's or else the preset's, and whose variables are the preset's overlaid by the
    /// profile's (a profile variable set to null removes the preset's default); otherwise a copy of <paramref name="profile"/>.
    /// </summary>
    /// <remarks>The profile is not changed. Resolving the returned profile again returns a copy of it unchanged (a preset named like its adapter, such as <c>openai</c>, does not add its defaults a second time). An unknown adapter or preset is not an error here; creating a client reports it.</remarks>
    public LlmProfile ResolveProfile(LlmProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var resolved = profile.Clone();
        if ((profile.ResolvedAdapter is not null && profile.ResolvedAdapter == profile.Adapter) || !PresetTable.TryGetValue(profile.Adapter ?? string.Empty, out var preset))
        {
            return resolved; // no preset, or resolved already
        }

        resolved.Adapter = preset.Adapter;
        resolved.ResolvedAdapter = preset.Adapter;
        if (string.IsNullOrWhiteSpace(resolved.BaseUrl))
        {
            resolved.BaseUrl = preset.BaseUrl;
        }

        foreach (var (name, value) in preset.Variables)
        {
            resolved.Variables.TryAdd(name, value);
        }

        return resolved;
    }

    /// <summary>True when an adapter of this name is loaded.</summary>
    public bool Contains(string adapter) => _adapters.ContainsKey(adapter);

    /// <summary>The call names of an adapter, or of a preset's adapter.</summary>
    /// <exception cref="LlmConfigurationException">No adapter or preset has this name.</exception>
    public IReadOnlyCollection<string> GetCalls(string adapter) => GetAdapter(adapter).Calls.Keys;

    /// <summary>Describes every call of an adapter (or of a preset's adapter): apitype, variables, required variables, inputs, source.</summary>
    /// <exception cref="LlmConfigurationException">No adapter or preset has this name.</exception>
    public IReadOnlyList<LlmCallInfo> Describe(string adapter)
        => [.. GetAdapter(adapter).Calls.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Describe())];

    /// <summary>The apitype of a call of an adapter (or of a preset's adapter).</summary>
    /// <exception cref="LlmConfigurationException">No adapter, preset or call has this name.</exception>
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
    /// <exception cref="LlmConfigurationException">The profile names an unknown adapter or preset, or has an invalid base URL.</exception>
    public ILlmClient CreateClient(LlmProfile profile, HttpClient httpClient, TimeProvider? timeProvider = null)
        => CreateClient(profile, httpClient, profileName: profile?.Adapter ?? string.Empty, timeProvider);

    /// <summary>Creates a client for a profile, sending through <paramref name="handler"/>.</summary>
    /// <remarks>The client does not dispose <paramref name="handler"/>.</remarks>
    /// <exception cref="LlmConfigurationException">The profile names an unknown adapter or preset, or has an invalid base URL.</exception>
    public ILlmClient CreateClient(LlmProfile profile, HttpMessageHandler handler, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return CreateClient(profile, new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan }, timeProvider);
    }

    /// <summary>Creates a client for a profile, sending through <paramref name="httpClient"/> and logging to <paramref name="loggerFactory"/> (category <c>LlmAdapters</c>).</summary>
    /// <remarks>The client does not dispose <paramref name="httpClient"/>. Metrics and traces go to the shared <c>LlmAdapters</c> Meter and ActivitySource.</remarks>
    /// <exception cref="LlmConfigurationException">The profile names an unknown adapter or preset, or has an invalid base URL.</exception>
    public ILlmClient CreateClient(LlmProfile profile, HttpClient httpClient, TimeProvider? timeProvider, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory)
        => CreateClient(profile, httpClient, profile?.Adapter ?? string.Empty, timeProvider, null, loggerFactory?.CreateLogger(Observability.LlmTelemetry.Name));

    internal ILlmClient CreateClient(LlmProfile profile, HttpClient httpClient, string profileName, TimeProvider? timeProvider, Observability.LlmTelemetry? telemetry = null, Microsoft.Extensions.Logging.ILogger? logger = null, Reliability.KeyPool? keys = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(httpClient);
        var resolved = ResolveProfile(profile);
        var adapter = GetAdapter(resolved.Adapter, profileName);
        var settings = new ClientSettings(profileName, resolved, timeProvider ?? TimeProvider.System, telemetry, logger, keys);
        return new LlmClient(adapter, new PlanRunner(httpClient, settings));
    }

    /// <summary>A client over settings resolved earlier (the DI factory keeps them per profile until the configuration changes).</summary>
    internal ILlmClient CreateClient(ClientSettings settings, string adapter, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return new LlmClient(GetAdapter(adapter, settings.ProfileName), new PlanRunner(httpClient, settings));
    }

    /// <summary>The adapter of this name, or of the preset of this name.</summary>
    internal AdapterPlan GetAdapter(string adapter, string? profileName = null)
    {
        if (PresetTable.TryGetValue(adapter ?? string.Empty, out var preset))
        {
            adapter = preset.Adapter; // the builder checked that it is loaded
        }

        if (_adapters.TryGetValue(adapter ?? string.Empty, out var entry))
        {
            return entry.Plan; // a shipped adapter is compiled on its first use
        }

        var who = profileName is null ? string.Empty : $" (profile '{profileName}')";
        throw new LlmConfigurationException(string.IsNullOrEmpty(adapter)
            ? $"The profile{who} names no Adapter; set Adapter to an adapter ({string.Join(", ", _adapters.Keys.Order(StringComparer.Ordinal))}) or a preset ({PresetList()})."
            : $"No adapter or preset is named '{adapter}'{who}{Internal.DidYouMean.Hint(adapter, _adapters.Keys.Concat(PresetTable.Keys))}. Loaded adapters: {string.Join(", ", _adapters.Keys.Order(StringComparer.Ordinal))}; presets: {PresetList()}.");
    }

    /// <summary>The adapter of this name as the catalog holds it (compiled, or a shipped one waiting for its first use); null when there is none.</summary>
    internal AdapterEntry? FindEntry(string adapter) => _adapters.GetValueOrDefault(adapter);

    /// <summary>True when a profile's Adapter of this name is an adapter or a preset of this catalog.</summary>
    internal bool ContainsAdapterOrPreset(string name) => _adapters.ContainsKey(name) || PresetTable.ContainsKey(name);

    /// <summary>The names of adapters and presets, for did-you-mean hints.</summary>
    internal IEnumerable<string> AdapterAndPresetNames => _adapters.Keys.Concat(PresetTable.Keys);

    internal string PresetList() => PresetTable.Count == 0 ? "none" : string.Join(", ", PresetTable.Keys.Order(StringComparer.Ordinal));
}
