namespace LlmAdapters.Cli.Profiles;

/// <summary>What the command line says about the profile to use: the adapter or profile name and the options that add to it.</summary>
/// <param name="Target">A profile name from the settings file, or an adapter name (or, for replay, a definition file).</param>
/// <param name="AdapterPaths">Extra definition files or folders (<c>--adapters</c>).</param>
/// <param name="SettingsFile">The settings file (<c>--settings</c>), if given.</param>
/// <param name="Variables"><c>--var name=value</c> items: JSON when the value parses as JSON, else text.</param>
/// <param name="BaseUrl"><c>--base-url</c>, if given.</param>
/// <param name="JsonVariables"><c>--var-json name=json</c> items: always JSON.</param>
/// <param name="ConverterAssemblies">Assemblies of converters (<c>--converters</c>).</param>
internal sealed record ProfileOptions(
    string Target,
    IReadOnlyList<string> AdapterPaths,
    string? SettingsFile,
    IReadOnlyList<string> Variables,
    string? BaseUrl,
    IReadOnlyList<string> JsonVariables,
    IReadOnlyList<string> ConverterAssemblies);
