using System.Text.Json;
using LlmAdapters.Cli.Output;

namespace LlmAdapters.Cli.Commands;

/// <summary><c>list [paths...]</c>: the adapters, their calls, apitypes, required variables and accepted inputs; then the presets (name, adapter, base URL).</summary>
internal sealed class ListCommand(CliConsole console)
{
    /// <param name="paths">Definition files or folders added to the shipped adapters (a file replaces a shipped adapter of the same name).</param>
    /// <param name="json">Print a JSON array of calls instead of text (the presets are listed in the text only, so the array stays one of calls).</param>
    /// <param name="converterAssemblies">Assemblies of converters the files name (<c>--converters</c>).</param>
    public int Run(IReadOnlyList<string> paths, bool json, IReadOnlyList<string> converterAssemblies)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(converterAssemblies);
        try
        {
            var converters = Converters.ConverterAssemblies.Load(converterAssemblies.Select(console.FullPath));
            var catalog = CatalogLoader.Load(paths.Select(console.FullPath), includeBuiltIns: true, converters);
            var adapters = catalog.Adapters.Order(StringComparer.Ordinal).Select(a => (Name: a, Calls: catalog.Describe(a))).ToList();
            if (json)
            {
                var calls = adapters.SelectMany(a => a.Calls).Select(c => new
                {
                    adapter = c.Adapter,
                    call = c.Name,
                    apitype = c.ApiType.ToString().ToLowerInvariant(),
                    description = c.Description,
                    requiredVariables = c.RequiredVariables,
                    variables = c.Variables,
                    inputs = c.Inputs,
                    source = c.Source,
                });
                console.Out.WriteLine(JsonSerializer.Serialize(calls, JsonDefaults.Indented));
                return ExitCodes.Ok;
            }

            foreach (var (name, calls) in adapters)
            {
                var source = calls.Count > 0 ? ValidateCommand.FileOf(calls[0].Source) : string.Empty;
                console.Out.WriteLine($"{console.Paint(name, AnsiColor.Bold)}  {console.Paint(console.DisplayPath(source), AnsiColor.Dim)}");
                var width = calls.Max(c => c.Name.Length);
                foreach (var call in calls)
                {
                    var apitype = call.ApiType.ToString().ToLowerInvariant();
                    console.Out.WriteLine($"  {call.Name.PadRight(width)}  {console.Paint(apitype.PadRight(6), AnsiColor.Cyan)}  needs: {Join(call.RequiredVariables)}; accepts: {Join(call.Inputs)}");
                    if (!string.IsNullOrEmpty(call.Description))
                    {
                        console.Out.WriteLine($"  {new string(' ', width)}  {console.Paint(call.Description, AnsiColor.Dim)}");
                    }
                }
            }

            if (catalog.Presets.Count > 0)
            {
                console.Out.WriteLine();
                console.Out.WriteLine(console.Paint("presets", AnsiColor.Bold) + "  (a profile's Adapter may name one: its adapter, base URL and default variables)");
                var nameWidth = catalog.Presets.Max(p => p.Name.Length);
                var adapterWidth = catalog.Presets.Max(p => p.Adapter.Length);
                foreach (var preset in catalog.Presets)
                {
                    console.Out.WriteLine($"  {preset.Name.PadRight(nameWidth)}  {console.Paint(preset.Adapter.PadRight(adapterWidth), AnsiColor.Cyan)}  {preset.BaseUrl ?? "(BaseUrl from the profile)"}");
                }
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (ErrorReporter.IsReportable(e))
        {
            return ErrorReporter.Report(e, console);
        }
    }

    private static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "-" : string.Join(", ", items);
}
