namespace LlmAdapters.Streaming;

/// <summary>What one step of a <see cref="StreamSession"/> produced.</summary>
internal enum StepKind
{
    /// <summary>More bytes are needed.</summary>
    NeedMore,

    /// <summary>A chunk was decoded: its text (maybe none) and fields are on the decoder.</summary>
    Chunk,

    /// <summary>The end marker arrived.</summary>
    Done,

    /// <summary>The body ended and everything in it was processed.</summary>
    End,
}
