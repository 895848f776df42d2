using LlmAdapters.Streaming;

namespace LlmAdapters.Definitions;

/// <summary>How a call's stream is written to be read: <c>stream_format</c>, <c>stream_mode</c>, <c>stream_done</c>, <c>chunk_match</c>, <c>chunk_filter</c>.</summary>
/// <param name="Format">The framing (default lines).</param>
/// <param name="Mode">Delta (default) or cumulative.</param>
/// <param name="Done">The payload that ends the stream; null when not named (then "[DONE]" ends it but is not required).</param>
/// <param name="ChunkMatch">The regular expression that cuts a chunk out of a line, or null.</param>
/// <param name="ChunkMatchLocation">Where <paramref name="ChunkMatch"/> is written.</param>
/// <param name="ChunkFilters">The filters that skip chunks.</param>
internal sealed record StreamDefinition(StreamFormat Format, StreamMode Mode, string? Done, string? ChunkMatch, SourceLocation? ChunkMatchLocation, IReadOnlyList<ChunkFilterDefinition> ChunkFilters)
{
    /// <summary>What a call without stream keys has.</summary>
    public static StreamDefinition Default { get; } = new(StreamFormat.Lines, StreamMode.Delta, null, null, null, []);
}
