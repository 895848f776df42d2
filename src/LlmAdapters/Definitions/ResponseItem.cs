using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>A <c>{name, value, converter}</c> item of <c>resp</c>: <c>value</c> is a key path into the response.</summary>
internal sealed record ResponseItem(string Name, string Path, string? Converter, SourceLocation Location)
{
    /// <summary><c>join</c>: in streams, the item's text is joined across chunks instead of keeping the last value.</summary>
    public bool Join { get; init; }

    /// <summary><c>tool_call</c>: the value holds the vendor's tool calls, read by these key paths; null for other items.</summary>
    public ToolCallDefinition? ToolCall { get; init; }

    /// <summary><c>args</c>: the argument of the converter (such as <c>join</c>'s separator), as written; null when absent.</summary>
    public JsonElement? Args { get; init; }
}
