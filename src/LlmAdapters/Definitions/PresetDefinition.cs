namespace LlmAdapters.Definitions;

/// <summary>A named host read from a presets file: the adapter it uses, its base URL and default variables.</summary>
/// <param name="Name">What a profile's <c>Adapter</c> names, such as <c>deepseek</c>.</param>
/// <param name="Adapter">The adapter (a definition's <c>name</c>) the preset runs on.</param>
/// <param name="BaseUrl">The host's base URL; null when every profile must give its own (Azure OpenAI: one resource per customer).</param>
/// <param name="Description">One line for listings.</param>
/// <param name="Variables">Defaults for the profile's variables; the profile's own values win.</param>
/// <param name="Location">Where the preset is written (<c>$.presets.deepseek</c>).</param>
/// <param name="BuiltIn">Whether it comes from the presets shipped in the package (a user's preset of the same name replaces it).</param>
internal sealed record PresetDefinition(
    string Name,
    string Adapter,
    string? BaseUrl,
    string? Description,
    IReadOnlyDictionary<string, string?> Variables,
    SourceLocation Location,
    bool BuiltIn);
