namespace LlmAdapters.Compilation;

/// <summary>An adapter of a catalog: compiled when the catalog was built, or (a shipped one) when it is first used.</summary>
/// <remarks>
/// A shipped file's problems are found by the package's own tests, not in the user's process; reading and compiling the
/// thirteen shipped files costs a cold load most of its time (docs/performance.md). So the catalog builder defers them
/// when compiling them depends on nothing the user gave (<see cref="LlmCatalogBuilder"/>): the catalog knows a deferred
/// adapter by its name, and the first call of <see cref="Plan"/> reads and compiles its file. Concurrent first uses share
/// one compilation; a failure (which the tests rule out) is an <see cref="LlmDefinitionException"/> on every use.
/// </remarks>
internal sealed class AdapterEntry
{
    private readonly AdapterPlan? _plan;

    private readonly Lazy<AdapterPlan>? _deferred;

    private AdapterEntry(string name, bool builtIn, AdapterPlan? plan, Lazy<AdapterPlan>? deferred)
    {
        Name = name;
        BuiltIn = builtIn;
        _plan = plan;
        _deferred = deferred;
    }

    /// <summary>The adapter's name, as profiles refer to it.</summary>
    public string Name { get; }

    /// <summary>True for an adapter of a shipped file.</summary>
    public bool BuiltIn { get; }

    /// <summary>True once the plan exists (always, but for a deferred adapter not yet used).</summary>
    public bool IsCompiled => _plan is not null || _deferred!.IsValueCreated;

    /// <summary>The compiled adapter; a deferred one is read and compiled on the first call.</summary>
    /// <exception cref="LlmDefinitionException">A deferred file has a problem.</exception>
    public AdapterPlan Plan => _plan ?? _deferred!.Value;

    public static AdapterEntry Compiled(AdapterPlan plan, bool builtIn) => new(plan.Name, builtIn, plan, null);

    public static AdapterEntry Deferred(string name, Func<AdapterPlan> compile)
        => new(name, builtIn: true, null, new Lazy<AdapterPlan>(compile, LazyThreadSafetyMode.ExecutionAndPublication));
}
