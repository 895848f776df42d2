using System.Text.Json;
using LlmAdapters;

namespace LlmAdapters.Cli.Tests.Converters;

/// <summary>"shout": text in upper case; loaded by <c>llm-adapters --converters</c> in the CLI tests.</summary>
public sealed class ShoutConverter : ILlmConverter
{
    /// <inheritdoc/>
    public string Name => "shout";

    /// <inheritdoc/>
    public JsonElement Convert(JsonElement value)
        => value.ValueKind == JsonValueKind.String ? LlmConverter.ToElement(value.GetString()!.ToUpperInvariant()) : value;
}
