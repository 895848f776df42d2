using System.Text.Json;
using LlmAdapters.Streaming;

namespace LlmAdapters.Execution;

/// <summary>
/// One running stream call, driven by its consumer: <see cref="MoveNextAsync"/> to each chunk, then read
/// <see cref="CurrentText"/>, <see cref="CurrentSnapshot"/> and <see cref="CurrentEventType"/> while it is current; once the
/// stream has ended normally, <see cref="FinalFields"/>. Made by <see cref="PlanRunner.OpenStream"/>.
/// </summary>
/// <remarks>
/// The framing and decoding state (<see cref="StreamSession"/>) stays inside: a chunk's values are read here, never
/// through the session. Per call; not thread-safe. Disposing (also after an early stop) releases the connection.
/// </remarks>
internal sealed class StreamCall : IAsyncEnumerator<StreamCall>
{
    private IAsyncEnumerator<StreamSession>? _chunks;
    private StreamSession? _current;
    private int _status;

    internal StreamCall(bool keepsWholeText, bool keepsFields)
    {
        KeepsWholeText = keepsWholeText;
        KeepsFields = keepsFields;
        Received = keepsWholeText ? new TextBuffer() : new TextBuffer(TextBuffer.StreamingTailLimit);
    }

    /// <summary>True when <see cref="Received"/> keeps the whole text (CallAsync): it is then bounded by MaxResponseBytes.</summary>
    public bool KeepsWholeText { get; }

    /// <summary>True when the pieces of tool calls are joined, for <see cref="FinalFields"/> (not for StreamAsync).</summary>
    public bool KeepsToolCalls { get; init; } = true;

    /// <summary>True when the fields other than the text are kept for <see cref="FinalFields"/>.</summary>
    public bool KeepsFields { get; }

    /// <summary>The text received so far: all of it when <see cref="KeepsWholeText"/>, else its tail (for error messages).</summary>
    public TextBuffer Received { get; }

    /// <summary>The final fields (last non-null value of each), set when the stream ends normally and <see cref="KeepsFields"/>; else null.</summary>
    public Dictionary<string, JsonElement>? FinalFields { get; internal set; }

    /// <summary>The HTTP status of the response, 0 before the first chunk.</summary>
    public int StatusCode => _status;

    /// <summary>The text piece of the current chunk, null or empty when it has none.</summary>
    public string? CurrentText => _current!.CurrentText;

    /// <summary>The SSE event type of the current chunk, or null.</summary>
    public string? CurrentEventType => _current!.Decoder.EventType;

    /// <summary>The current chunk's values, kept for an update (null for a framing whose payloads are not decoded).</summary>
    public Mapping.ChunkSnapshot? CurrentSnapshot()
        => _current!.Framing.DecodesPayloads ? _current.Decoder.CurrentSnapshot(_current.CurrentPayload) : null;

    /// <summary>The stream itself: it is its own current chunk (so that it can be driven as an enumerator).</summary>
    StreamCall IAsyncEnumerator<StreamCall>.Current => this;

    internal void Start(IAsyncEnumerator<StreamSession> chunks) => _chunks = chunks;

    /// <summary>Moves to the next chunk; false when the stream has ended.</summary>
    /// <exception cref="LlmException">The stream failed (what arrived is in the message).</exception>
    /// <remarks>
    /// The runner makes each chunk current itself before yielding it (<see cref="SetCurrent"/>), so that this step is the
    /// runner's own: no await here, which would add a hop for every chunk that arrives after a wait.
    /// </remarks>
    public ValueTask<bool> MoveNextAsync() => _chunks!.MoveNextAsync();

    /// <summary>Called by the runner just before it yields <paramref name="session"/>'s chunk.</summary>
    internal void SetCurrent(StreamSession session)
    {
        _current = session;
        _status = session.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        _current = null;
        if (_chunks is not null)
        {
            await _chunks.DisposeAsync().ConfigureAwait(false);
        }

        Received.Dispose();
    }
}
