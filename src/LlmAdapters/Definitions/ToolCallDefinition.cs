namespace LlmAdapters.Definitions;

/// <summary>
/// The <c>tool_call</c> key of a <c>resp</c> item: key paths, relative to each object the item's <c>value</c> finds, of a
/// tool call's <c>index</c> (pieces of one streamed call share it; optional), <c>id</c> (optional), <c>name</c> and <c>arguments</c>.
/// </summary>
internal sealed record ToolCallDefinition(string? Index, string? Id, string Name, string Arguments, SourceLocation Location);
