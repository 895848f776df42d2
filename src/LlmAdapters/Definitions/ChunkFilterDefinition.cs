using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>A <c>chunk_filter</c>: when the chunk's value at <c>name</c> compares true with <c>value</c> by <c>op</c>, the <c>field</c> item (or every item) is skipped for that chunk.</summary>
internal sealed record ChunkFilterDefinition(string Name, string Op, JsonElement Value, string? Field, SourceLocation Location);
