using System.Runtime.ExceptionServices;
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
    private readonly long _maxTextBytes;
    private IAsyncEnumerator<StreamSession>? _chunks;
    private CancellationToken _cancellationToken;
    private StreamSession? _current;
    private int _status;

    // The session while the runner is suspended at its yield of a chunk: the next chunks already buffered are stepped
    // here, and the runner is resumed only for anything else (see MoveNextAsync).
    private StreamSession? _suspended;
    private StepKind _pendingKind;
    private bool _hasPending;
    private ExceptionDispatchInfo? _pendingError;

    internal StreamCall(bool keepsWholeText, bool keepsFields, long maxTextBytes)
    {
        KeepsWholeText = keepsWholeText;
        KeepsFields = keepsFields;
        _maxTextBytes = maxTextBytes;
        Received = keepsWholeText ? new TextBuffer() : new TextBuffer(TextBuffer.StreamingTailLimit);
    }

    /// <summary>True when <see cref="Received"/> keeps the whole text (CallAsync): it is then bounded by MaxResponseBytes.</summary>
    public bool KeepsWholeText { get; }

    /// <summary>True when the pieces of tool calls are joined, for <see cref="FinalFields"/> (not for StreamAsync).</summary>
    public bool KeepsToolCalls { get; init; } = true;

    /// <summary>
    /// True (always, but in the differential test that proves it changes nothing) when <see cref="MoveNextAsync"/> steps
    /// chunks already buffered itself instead of resuming the runner for each.
    /// </summary>
    public bool SteppedByConsumer { get; init; } = true;

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

    /// <summary>
    /// The current chunk's values, kept for an update, with the patch that gives its integers (see
    /// <see cref="Mapping.SnapshotPatch"/>); null for a framing whose payloads are not decoded.
    /// </summary>
    public Mapping.ChunkSnapshot? CurrentSnapshot(out long patch)
    {
        patch = Mapping.SnapshotPatch.None;
        return _current!.Framing.DecodesPayloads ? _current.Decoder.CurrentSnapshot(_current.CurrentPayload, out patch) : null;
    }

    /// <summary>The stream itself: it is its own current chunk (so that it can be driven as an enumerator).</summary>
    StreamCall IAsyncEnumerator<StreamCall>.Current => this;

    // A chunk that takes more reads than this (a few bytes per read) is left to the runner after them, which reads on alike.
    private const int MaxReadsPerStep = 64;

    /// <summary>Set by the runner once the body is open: the reads of the body, which this stream's step makes too when one completes at once.</summary>
    internal StreamBodyReads? Reads { get; set; }

    /// <summary>Set by the runner: its chunks, and the token it checks before each step.</summary>
    internal void Start(IAsyncEnumerator<StreamSession> chunks, CancellationToken cancellationToken)
    {
        _chunks = chunks;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Moves to the next chunk; false when the stream has ended.</summary>
    /// <exception cref="LlmException">The stream failed (what arrived is in the message).</exception>
    /// <remarks>
    /// A chunk already in the session's buffer is stepped here, without resuming the runner's iterator (whose every
    /// resumption costs about as much as decoding a small chunk). This is the runner's own next step, not a second
    /// reader: the same <see cref="StreamSession.Step"/>, after the same cancellation check, accepted by the same
    /// <see cref="Accept"/>. Whatever else the step gives (more bytes needed, the end, a chunk the runner must judge, an
    /// invalid chunk) is handed to the runner, which takes it with <see cref="TakePending"/> instead of stepping again.
    /// No await here: a chunk that arrives after a wait is made current by the runner before it yields.
    /// </remarks>
    public ValueTask<bool> MoveNextAsync()
    {
        if (_suspended is { } session && SteppedByConsumer && !_cancellationToken.IsCancellationRequested)
        {
            _suspended = null; // (Accept sets it again; a step that throws leaves the runner to end the stream)
            try
            {
                var kind = session.Step();
                for (var reads = 0; kind == StepKind.NeedMore && reads < MaxReadsPerStep && Reads is { } body && body.TryReadNow(session); reads++)
                {
                    // Read at once, from bytes that have already arrived: stepped here too, after the same check as the
                    // runner makes after each of its reads (a read that has to wait is the runner's).
                    if (_cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    kind = session.Step();
                }

                if (kind == StepKind.Chunk && !session.IsWhole && Accept(session))
                {
                    return new ValueTask<bool>(true);
                }

                _pendingKind = kind;
                _hasPending = true;
            }
            catch (InvalidChunkException e)
            {
                _pendingError = ExceptionDispatchInfo.Capture(e);
            }
        }

        _suspended = null;
        return _chunks!.MoveNextAsync();
    }

    /// <summary>
    /// Makes <paramref name="session"/>'s chunk current (its text appended to <see cref="Received"/>), just before the runner
    /// yields it; false, and nothing changed, when the text would make <see cref="Received"/> longer than the profile's
    /// MaxResponseBytes while it keeps the whole text.
    /// </summary>
    internal bool Accept(StreamSession session)
    {
        if (session.CurrentText is { Length: > 0 } text)
        {
            if (KeepsWholeText && Received.Length + text.Length > _maxTextBytes)
            {
                return false;
            }

            Received.Append(text);
        }

        _current = session;
        _status = session.StatusCode;
        _suspended = session;
        return true;
    }

    /// <summary>What the last <see cref="MoveNextAsync"/> stepped and handed on, if anything; rethrows the invalid chunk it met.</summary>
    /// <exception cref="InvalidChunkException">The step the consumer made met an invalid chunk.</exception>
    internal StepKind? TakePending()
    {
        if (_pendingError is { } error)
        {
            _pendingError = null;
            error.Throw();
        }

        if (!_hasPending)
        {
            return null;
        }

        _hasPending = false;
        return _pendingKind;
    }

    public async ValueTask DisposeAsync()
    {
        _current = null;
        _suspended = null;
        if (_chunks is not null)
        {
            await _chunks.DisposeAsync().ConfigureAwait(false);
        }

        Received.Dispose();
    }
}
