using System.Reflection;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Conversion;
using LlmAdapters.Definitions;

namespace LlmAdapters;

/// <summary>Collects definition files and converters, then loads, validates and compiles them into an <see cref="LlmCatalog"/>.</summary>
/// <remarks>Nothing is read until <see cref="Build"/>, so converters and sources may be added in any order. Not thread-safe; the catalog it builds is.</remarks>
public sealed class LlmCatalogBuilder
{
    private readonly List<DefinitionSource> _sources = [];
    private readonly List<ILlmConverter> _converters = [];
    private readonly List<ILlmRequestSigner> _signers = [];
    private bool _skipInvalidFiles;

    /// <summary>Adds a converter that definition items can name; it replaces a built-in of the same name.</summary>
    public LlmCatalogBuilder AddConverter(ILlmConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        _converters.Add(converter);
        return this;
    }

    /// <summary>Adds a converter from a delegate.</summary>
    public LlmCatalogBuilder AddConverter(string name, Func<JsonElement, JsonElement> convert) => AddConverter(LlmConverter.Create(name, convert));

    /// <summary>Adds a request-signing scheme that calls can name in <c>"sign"</c>; it replaces a built-in (<c>jwt_hs256</c>, <c>aws_sigv4</c>) of the same name.</summary>
    public LlmCatalogBuilder AddSigner(ILlmRequestSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentException.ThrowIfNullOrWhiteSpace(signer.Name);
        _signers.Add(signer);
        return this;
    }

    /// <summary>Adds every <c>*.json</c> file of a folder (not its subfolders; <c>*.schema.json</c> files are skipped; <c>presets.json</c> and <c>*.presets.json</c> are read as presets).</summary>
    public LlmCatalogBuilder AddDirectory(string path, string searchPattern = "*.json")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _sources.Add(new DefinitionSource.Directory(path, searchPattern));
        return this;
    }

    /// <summary>Adds one definition file, or a presets file when it is named <c>presets.json</c> or <c>*.presets.json</c>.</summary>
    public LlmCatalogBuilder AddFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _sources.Add(new DefinitionSource.FilePath(path));
        return this;
    }

    /// <summary>Adds a file if it is a file and a folder if it is a folder (as <c>AdapterPaths</c> does).</summary>
    public LlmCatalogBuilder AddPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(Internal.PathResolver.Resolve(path)) ? AddFile(path) : AddDirectory(path);
    }

    /// <summary>Adds a definition given as JSON text; <paramref name="sourceName"/> names it in error messages (a name such as <c>my.presets.json</c> makes it a presets file).</summary>
    public LlmCatalogBuilder AddJson(string json, string sourceName = "inline.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        _sources.Add(new DefinitionSource.Text(json, sourceName));
        return this;
    }

    /// <summary>Adds a definition embedded as a resource in an assembly.</summary>
    public LlmCatalogBuilder AddEmbeddedResource(Assembly assembly, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceName);
        _sources.Add(new DefinitionSource.Resource(assembly, resourceName));
        return this;
    }

    /// <summary>Adds the adapters shipped inside the package (openai, minimax, ...) and their presets (deepseek, groq, ...). Files added from elsewhere with the same adapter or preset name replace them.</summary>
    /// <remarks>Each shipped adapter is read and compiled the first time it is used, and the shipped presets are read the first time a preset or an adapter is looked up by name (see <see cref="Build"/>).</remarks>
    public LlmCatalogBuilder AddBuiltInAdapters()
    {
        _sources.Add(new DefinitionSource.BuiltIns());
        return this;
    }

    /// <summary>Loads the valid files even when others are invalid: the invalid ones are left out and their problems are in <see cref="LlmCatalog.Problems"/>, instead of failing <see cref="Build"/>.</summary>
    /// <remarks>For hosts that load a folder of user-supplied definitions and must keep working when one is broken.</remarks>
    public LlmCatalogBuilder SkipInvalidFiles(bool skip = true)
    {
        _skipInvalidFiles = skip;
        return this;
    }

    /// <summary>Reads, validates and compiles every source.</summary>
    /// <remarks>
    /// Every file added from elsewhere is read, checked and compiled here, so that its problems are found now. The shipped
    /// adapters (<see cref="AddBuiltInAdapters"/>) are read and compiled when each is first used, unless a converter or
    /// signer added here replaces a built-in one of the same name (then compiling a shipped file depends on it, and they
    /// are compiled here too): the package's tests check the shipped files, and a load then pays only for the adapters an
    /// application uses.
    /// </remarks>
    /// <exception cref="LlmDefinitionException">Any file is invalid (unless <see cref="SkipInvalidFiles"/>); the message lists every problem of every file.</exception>
    public LlmCatalog Build()
    {
        var problems = new List<LlmDefinitionProblem>();
        var registry = new ConverterRegistry(_converters);
        var signers = new Signing.SignerRegistry(_signers);
        var compiler = new PlanCompiler(registry, signers);
        var deferBuiltIns = !ReplacesBuiltIn(_converters, _signers);
        var adapters = new Dictionary<string, AdapterEntry>(StringComparer.Ordinal);
        var presets = new Dictionary<string, PresetDefinition>(StringComparer.Ordinal);
        Func<IReadOnlyList<PresetDefinition>>? builtInPresets = null;
        foreach (var source in _sources)
        {
            if (deferBuiltIns && source is DefinitionSource.BuiltIns)
            {
                builtInPresets = AddDeferredBuiltIns(registry, signers, adapters);
                continue;
            }

            foreach (var (name, bytes, builtIn) in source.Read(problems))
            {
                if (PresetReader.IsPresetFile(name))
                {
                    AddPresets(PresetReader.Read(bytes, name, builtIn, problems), presets, problems);
                }
                else
                {
                    AddAdapter(name, bytes, builtIn, compiler, registry, signers, adapters, problems);
                }
            }
        }

        // Every name the user's presets files gave, kept or not: a shipped preset of that name stays out, as at load,
        // where the user's preset replaced it before its problem left it out (SkipInvalidFiles).
        string[] named = builtInPresets is null ? [] : [.. presets.Keys];
        CheckPresets(presets, adapters, problems);
        if (problems.Count > 0 && !_skipInvalidFiles)
        {
            throw new LlmDefinitionException(problems);
        }

        var loaded = presets;
        return new LlmCatalog(adapters, problems, presets, builtInPresets is null ? null : () => WithBuiltInPresets(loaded, named, builtInPresets(), adapters));
    }

    /// <summary>True when a converter or signer of the user's has the name of a built-in one, which shipped files may name.</summary>
    private static bool ReplacesBuiltIn(List<ILlmConverter> converters, List<ILlmRequestSigner> signers)
    {
        foreach (var converter in converters)
        {
            if (BuiltInConverters.Contains(converter.Name))
            {
                return true;
            }
        }

        foreach (var signer in signers)
        {
            if (Signing.SignerRegistry.IsBuiltIn(signer.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The shipped adapters by name, each read and compiled on its first use (a user's file of the same name added earlier
    /// stays), and how to read the shipped presets, which the catalog does on the first use of a preset or of an adapter
    /// by name (<see cref="WithBuiltInPresets"/>): a load then parses no JSON at all.
    /// </summary>
    private static Func<IReadOnlyList<PresetDefinition>>? AddDeferredBuiltIns(ConverterRegistry registry, Signing.SignerRegistry signers, Dictionary<string, AdapterEntry> adapters)
    {
        Func<IReadOnlyList<PresetDefinition>>? presets = null;
        foreach (var resource in DefinitionSource.BuiltIns.ResourceNames())
        {
            if (PresetReader.IsPresetFile(resource))
            {
                presets = () => ReadBuiltInPresets(resource);
            }
            else
            {
                var adapter = DefinitionSource.BuiltIns.AdapterName(resource);
                adapters.TryAdd(adapter, AdapterEntry.Deferred(adapter, () => CompileBuiltIn(resource, adapter, registry, signers)));
            }
        }

        return presets;
    }

    /// <summary>Reads the shipped presets file on first use; a test holds it free of problems.</summary>
    private static IReadOnlyList<PresetDefinition> ReadBuiltInPresets(string resource)
    {
        var problems = new List<LlmDefinitionProblem>();
        var (name, bytes, _) = DefinitionSource.BuiltIns.ReadOne(resource);
        var presets = PresetReader.Read(bytes, name, builtIn: true, problems);
        return problems.Count == 0 ? presets : throw new LlmDefinitionException(problems);
    }

    /// <summary>
    /// The presets a load kept (the user's, checked then) with the shipped ones added by the same rules as at load: a
    /// user's preset of a shipped preset's name replaces it (even one left out for its problem: <paramref name="named"/>),
    /// and so does a user's adapter of that name.
    /// </summary>
    /// <exception cref="LlmDefinitionException">A shipped preset runs on an adapter that is not loaded (a test rules this out).</exception>
    private static Dictionary<string, PresetDefinition> WithBuiltInPresets(Dictionary<string, PresetDefinition> loaded, string[] named, IReadOnlyList<PresetDefinition> builtIn, Dictionary<string, AdapterEntry> adapters)
    {
        var presets = new Dictionary<string, PresetDefinition>(loaded, StringComparer.Ordinal);
        var problems = new List<LlmDefinitionProblem>();
        AddPresets([.. builtIn.Where(p => Array.IndexOf(named, p.Name) < 0)], presets, problems);
        CheckPresets(presets, adapters, problems);
        return problems.Count == 0 ? presets : throw new LlmDefinitionException(problems);
    }

    /// <summary>Reads and compiles a shipped file on its adapter's first use.</summary>
    private static AdapterPlan CompileBuiltIn(string resource, string adapter, ConverterRegistry registry, Signing.SignerRegistry signers)
    {
        var problems = new List<LlmDefinitionProblem>();
        var (name, bytes, _) = DefinitionSource.BuiltIns.ReadOne(resource);
        var (definition, plan) = ReadAndCompile(name, bytes, new PlanCompiler(registry, signers), registry, signers, problems);
        if (plan is not null && problems.Count == 0 && plan.Name == adapter)
        {
            return plan;
        }

        if (problems.Count == 0)
        {
            problems.Add(definition is null
                ? new LlmDefinitionProblem(name, 0, "$", "the shipped file could not be read")
                : definition.Location.Problem($"the shipped file defines the adapter '{definition.Name}', not '{adapter}' as its file name says"));
        }

        throw new LlmDefinitionException(problems);
    }

    /// <summary>Reads and compiles one definition file and adds its adapter; a user's file replaces a shipped one of the same name, two of the user's own are a problem.</summary>
    /// <remarks>
    /// A method of its own, so that it has no loop: the runtime compiles a method with a loop with profiling probes in
    /// every block (for tiered PGO), which makes a big method slower to compile on a cold load.
    /// </remarks>
    private static void AddAdapter(string name, ReadOnlyMemory<byte> bytes, bool builtIn, PlanCompiler compiler, ConverterRegistry registry, Signing.SignerRegistry signers, Dictionary<string, AdapterEntry> adapters, List<LlmDefinitionProblem> problems)
    {
        var firstProblem = problems.Count;
        var (definition, plan) = ReadAndCompile(name, bytes, compiler, registry, signers, problems);
        if (definition is null || plan is null || problems.Count > firstProblem)
        {
            return; // a file with any problem is left out whole
        }

        if (adapters.TryGetValue(plan.Name, out var existing))
        {
            if (existing.BuiltIn && !builtIn)
            {
                adapters[plan.Name] = AdapterEntry.Compiled(plan, builtIn: false); // a user's file replaces the shipped one
            }
            else if (!existing.BuiltIn && !builtIn)
            {
                problems.Add(definition.Location.Problem($"adapter '{plan.Name}' is also defined in {existing.Plan.Location.File}; give one of them another \"name\""));
            }

            return;
        }

        adapters[plan.Name] = AdapterEntry.Compiled(plan, builtIn);
    }

    /// <summary>Reads and compiles one definition file; its problems (reading's and compiling's, in file order) go to <paramref name="problems"/>.</summary>
    private static (AdapterDefinition? Definition, AdapterPlan? Plan) ReadAndCompile(string name, ReadOnlyMemory<byte> bytes, PlanCompiler compiler, ConverterRegistry registry, Signing.SignerRegistry signers, List<LlmDefinitionProblem> problems)
    {
        var firstProblem = problems.Count;
        AdapterDefinition? definition;
        AdapterPlan? plan;
        try
        {
            definition = DefinitionReader.Read(bytes, name, problems);
            plan = definition switch
            {
                null => null,
                { Converters.Count: 0 } => compiler.Compile(definition, problems),
                // A file's own converters (its "converters" section) serve its items only.
                _ => new PlanCompiler(registry.With(MappingConverter.Create(definition.Converters, problems)), signers).Compile(definition, problems),
            };
        }
        catch (InvalidOperationException e) when (e.Message.Contains("UTF-16", StringComparison.Ordinal) || e.Message.Contains("UTF-8", StringComparison.Ordinal))
        {
            // An escape such as \uD800 (half a surrogate pair) parses as JSON but is no text.
            problems.Add(new LlmDefinitionProblem(name, 0, "$", "a string in the file holds an unpaired surrogate escape such as \\uD800, which is not text; remove it or write the whole pair"));
            definition = null;
            plan = null;
        }

        if (problems.Count > firstProblem + 1)
        {
            // Reading and compiling find problems in two passes; report them in file order.
            var sorted = problems.Skip(firstProblem).OrderBy(p => p.Line).ToList();
            problems.RemoveRange(firstProblem, sorted.Count);
            problems.AddRange(sorted);
        }

        return (definition, plan);
    }

    /// <summary>A user's preset replaces a shipped one of the same name; two of the user's own are a problem.</summary>
    private static void AddPresets(IReadOnlyList<PresetDefinition> read, Dictionary<string, PresetDefinition> presets, List<LlmDefinitionProblem> problems)
    {
        foreach (var preset in read)
        {
            if (presets.TryGetValue(preset.Name, out var existing))
            {
                if (!existing.BuiltIn && !preset.BuiltIn)
                {
                    problems.Add(preset.Location.Problem($"the preset '{preset.Name}' is also defined in {existing.Location.Describe()}; give one of them another name"));
                }
                else if (existing.BuiltIn && !preset.BuiltIn)
                {
                    presets[preset.Name] = preset;
                }

                continue;
            }

            presets[preset.Name] = preset;
        }
    }

    /// <summary>Every preset runs on a loaded adapter and hides no other adapter: a user's preset that does not is left out with its problem, a shipped one that hides the user's adapter is left out.</summary>
    private static void CheckPresets(Dictionary<string, PresetDefinition> presets, IReadOnlyDictionary<string, AdapterEntry> adapters, List<LlmDefinitionProblem> problems)
    {
        var names = new string[presets.Count];
        presets.Keys.CopyTo(names, 0);
        Array.Sort(names, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var preset = presets[name];
            if (!adapters.ContainsKey(preset.Adapter))
            {
                problems.Add(preset.Location.Problem($"the preset '{preset.Name}' runs on the adapter '{preset.Adapter}', which is not loaded{Internal.DidYouMean.Hint(preset.Adapter, adapters.Keys)}; loaded adapters: {string.Join(", ", adapters.Keys.Order(StringComparer.Ordinal))}"));
                presets.Remove(preset.Name);
            }
            else if (adapters.ContainsKey(preset.Name) && preset.Name != preset.Adapter)
            {
                if (!preset.BuiltIn)
                {
                    problems.Add(preset.Location.Problem($"the preset '{preset.Name}' would hide the adapter '{preset.Name}' (it runs on '{preset.Adapter}'); give the preset another name"));
                }

                // A shipped preset gives way to the user's adapter of its name, as to a user's preset: the user cannot
                // rename it, and a preset added in a later version must not break a file that loaded before.
                presets.Remove(preset.Name);
            }
        }
    }
}
