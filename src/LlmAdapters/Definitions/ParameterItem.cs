using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>A <c>{name, value, converter}</c> item of <c>headers</c>, <c>params</c>, <c>data</c> and their query counterparts.</summary>
internal sealed record ParameterItem(string Name, JsonElement Value, string? Converter, SourceLocation Location)
{
    /// <summary><c>args</c>: the argument of the converter (such as <c>join</c>'s separator), as written; null when absent.</summary>
    public JsonElement? Args { get; init; }
}
