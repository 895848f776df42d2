namespace LlmAdapters.Definitions;

/// <summary>A <c>{name, value, converter}</c> item of <c>resp</c>: <c>value</c> is a key path into the response.</summary>
internal sealed record ResponseItem(string Name, string Path, string? Converter, SourceLocation Location);
