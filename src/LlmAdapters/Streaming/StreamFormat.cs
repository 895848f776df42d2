namespace LlmAdapters.Streaming;

/// <summary>How a stream's body is cut into chunks (<c>stream_format</c>).</summary>
internal enum StreamFormat
{
    /// <summary>Each line is a chunk (cut by <c>chunk_match</c> when given); \n, \r\n and \r end lines.</summary>
    Lines,

    /// <summary>Server-Sent Events: an event's <c>data:</c> lines joined with \n are the chunk; <c>event:</c> is its type.</summary>
    Sse,

    /// <summary>No framing: text is yielded as it arrives.</summary>
    Raw,

    /// <summary>The body is one JSON array; each element is a chunk.</summary>
    JsonArray,

    /// <summary>AWS event stream (application/vnd.amazon.eventstream): binary messages with CRCs; each event's payload is a chunk, its <c>:event-type</c> the event type.</summary>
    AwsEventStream,
}
