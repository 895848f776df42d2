using LlmAdapters.Streaming;

namespace LlmAdapters.Execution;

/// <summary>
/// The reads of one stream's body into its session's buffer, made by the runner or, when a read completes at once, by
/// the consumer's step (<see cref="StreamCall.MoveNextAsync"/>): the same buffer, the same token, at most one read in
/// flight. A read that the consumer starts and that has to wait (or fails) is left here for the runner, which takes it
/// instead of starting another and so awaits it, times it and reports its failure as it does its own reads.
/// </summary>
/// <remarks>
/// Where the network delivers one event per read (a vendor that flushes each chunk), the consumer's step would
/// otherwise resume the runner's iterator for every chunk only to read; a read served from bytes that have already
/// arrived needs no resumption. Per stream; not thread-safe (the consumer and the runner never step at once).
/// </remarks>
internal sealed class StreamBodyReads(Stream body, CancellationToken token)
{
    private ValueTask<int> _left;
    private bool _hasLeft;

    /// <summary>
    /// The consumer's read: true when it completed at once and its bytes (or the body's end) are in
    /// <paramref name="session"/>; false when it has to wait or failed, and is left for the runner's <see cref="Next"/>.
    /// </summary>
    public bool TryReadNow(StreamSession session)
    {
        ValueTask<int> read;
        try
        {
            read = body.ReadAsync(session.GetReadBuffer(), token);
        }
        catch (Exception e)
        {
            // Thrown rather than returned (a line over the limit, a disposed body): the runner meets it where it reads.
            read = ValueTask.FromException<int>(e);
        }

        if (!read.IsCompletedSuccessfully)
        {
            _left = read;
            _hasLeft = true;
            return false;
        }

        Apply(session, read.Result);
        return true;
    }

    /// <summary>The runner's read: the one the consumer left, else a new one into <paramref name="session"/>'s buffer.</summary>
    /// <exception cref="InvalidChunkException">A line (or event, or message) is longer than the limit.</exception>
    public ValueTask<int> Next(StreamSession session)
    {
        if (_hasLeft)
        {
            var left = _left;
            (_left, _hasLeft) = (default, false);
            return left;
        }

        return body.ReadAsync(session.GetReadBuffer(), token);
    }

    /// <summary>
    /// Waits for a read the consumer left that the runner never took (the consumer cancelled between the two), so
    /// that no read is in flight when the body is aborted; its outcome no longer matters.
    /// </summary>
    public async ValueTask SettleAsync()
    {
        if (!_hasLeft)
        {
            return;
        }

        var left = _left;
        (_left, _hasLeft) = (default, false);
        try
        {
            await left.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException or NotSupportedException or InvalidOperationException or InvalidChunkException)
        {
            // The stream is over either way (what a read can throw, as StreamAbort takes it).
        }
    }

    /// <summary>Gives <paramref name="session"/> what a read returned: its bytes, or, for none, the body's end.</summary>
    public static void Apply(StreamSession session, int read)
    {
        if (read == 0)
        {
            session.Complete();
        }
        else
        {
            session.Advance(read);
        }
    }
}
