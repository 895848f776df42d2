namespace LlmAdapters.Streaming;

/// <summary>What each chunk's text holds (<c>stream_mode</c>).</summary>
internal enum StreamMode
{
    /// <summary>The new text only (the default).</summary>
    Delta,

    /// <summary>All the text so far: only what is new is yielded.</summary>
    Cumulative,
}
