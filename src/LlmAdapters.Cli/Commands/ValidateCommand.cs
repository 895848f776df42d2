using LlmAdapters.Cli.Output;

namespace LlmAdapters.Cli.Commands;

/// <summary><c>validate [paths...]</c>: loads definition files and reports every problem with file, line and JSON path.</summary>
internal sealed class ValidateCommand(CliConsole console)
{
    public const string DefaultFolder = "adapters";

    /// <param name="paths">Definition files or folders; none: ./adapters.</param>
    /// <param name="converterAssemblies">Assemblies of converters the files name (<c>--converters</c>).</param>
    /// <returns>0 when every file is valid, 3 when any has a problem, 2 when a path does not exist.</returns>
    public int Run(IReadOnlyList<string> paths, IReadOnlyList<string> converterAssemblies)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(converterAssemblies);
        try
        {
            var converters = Converters.ConverterAssemblies.Load(converterAssemblies.Select(console.FullPath));
            var full = ResolvePaths(paths);
            var files = full.SelectMany(DefinitionFiles).ToList();
            if (files.Count == 0)
            {
                throw new CliUsageException($"No definition files (*.json) in {string.Join(", ", full.Select(console.DisplayPath))}.");
            }

            var catalog = CatalogLoader.Load(full, includeBuiltIns: false, converters);
            var calls = 0;
            foreach (var adapter in catalog.Adapters.Order(StringComparer.Ordinal))
            {
                var info = catalog.Describe(adapter);
                calls += info.Count;
                var source = info.Count > 0 ? FileOf(info[0].Source) : string.Empty;
                console.Out.WriteLine($"{console.Paint("ok", AnsiColor.Green)}  {adapter} ({console.DisplayPath(source)}): {string.Join(", ", info.Select(c => c.Name))}");
            }

            foreach (var preset in catalog.Presets)
            {
                console.Out.WriteLine($"{console.Paint("ok", AnsiColor.Green)}  preset {preset.Name} -> {preset.Adapter} ({console.DisplayPath(FileOf(preset.Source))})");
            }

            var presets = catalog.Presets.Count == 0 ? string.Empty : $", {catalog.Presets.Count} preset{(catalog.Presets.Count == 1 ? string.Empty : "s")}";
            console.Out.WriteLine($"{files.Count} file{(files.Count == 1 ? string.Empty : "s")}, {catalog.Adapters.Count} adapter{(catalog.Adapters.Count == 1 ? string.Empty : "s")}, {calls} call{(calls == 1 ? string.Empty : "s")}{presets}: no problems.");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (ErrorReporter.IsReportable(e))
        {
            return ErrorReporter.Report(e, console);
        }
    }

    private List<string> ResolvePaths(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            var folder = console.FullPath(DefaultFolder);
            return Directory.Exists(folder)
                ? [folder]
                : throw new CliUsageException($"Give the definition files or folders to validate; with none, ./{DefaultFolder} is validated, and there is no such folder here.");
        }

        var full = paths.Select(console.FullPath).ToList();
        var missing = full.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        return missing.Count == 0 ? full : throw new CliUsageException($"Not found: {string.Join(", ", missing.Select(console.DisplayPath))}.");
    }

    private static IEnumerable<string> DefinitionFiles(string path)
        => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
            : [path];

    /// <summary>"adapters/openai.json, line 3" → "adapters/openai.json".</summary>
    internal static string FileOf(string source)
    {
        var comma = source.LastIndexOf(", line ", StringComparison.Ordinal);
        return comma < 0 ? source : source[..comma];
    }
}
