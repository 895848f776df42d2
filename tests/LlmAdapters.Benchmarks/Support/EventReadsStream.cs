namespace LlmAdapters.Benchmarks.Support;

/// <summary>
/// A response body read as loopback delivers a server's flushed writes: each read returns one event's bytes (or the rest
/// of it, when the reader's buffer is smaller), never more, and completes at once. The in-memory runner's
/// <c>--per-event</c>: the per-read costs of a client without the network's noise.
/// </summary>
public sealed class EventReadsStream(byte[][] events) : Stream
{
    private int _event;
    private int _at;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_event == events.Length || buffer.IsEmpty)
        {
            return 0;
        }

        var current = events[_event];
        var count = Math.Min(buffer.Length, current.Length - _at);
        current.AsSpan(_at, count).CopyTo(buffer);
        _at += count;
        if (_at == current.Length)
        {
            _event++;
            _at = 0;
        }

        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
