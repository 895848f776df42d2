namespace LlmAdapters;

/// <summary>A named host of a catalog: the adapter it runs on, its base URL and the variables it sets by default.</summary>
/// <remarks>A profile whose <see cref="LlmProfile.Adapter"/> names a preset uses the preset's adapter; its own <see cref="LlmProfile.BaseUrl"/> and <see cref="LlmProfile.Variables"/> win over the preset's.</remarks>
/// <param name="Name">What a profile's <c>Adapter</c> names, such as <c>deepseek</c>.</param>
/// <param name="Adapter">The adapter the preset runs on, such as <c>openai</c>.</param>
/// <param name="BaseUrl">The host's base URL, or null when the profile must give its own (such as an Azure OpenAI resource).</param>
/// <param name="Description">One line about the host, if any.</param>
/// <param name="Variables">The default variables (such as <c>model</c>); a profile's own values win.</param>
/// <param name="Source">The file the preset is written in, with its line.</param>
public sealed record LlmPresetInfo(
    string Name,
    string Adapter,
    string? BaseUrl,
    string? Description,
    IReadOnlyDictionary<string, string?> Variables,
    string Source);
