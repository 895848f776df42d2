using System.Text;
using LlmAdapters.Execution;
using LlmAdapters.Streaming;
using LlmAdapters.Tests.Streaming.Framing;

namespace LlmAdapters.Tests.Execution;

/// <summary>
/// The reads of a stream's body (StreamBodyReads): a read the consumer's step starts is applied when it completes at
/// once, and otherwise left, exactly once, for the runner, which then awaits it instead of starting another; a read left
/// and never taken is waited for before the body is aborted. (ConsumerSteppingDifferentialTests holds the whole stream
/// to the runner's own reads over generated bodies, with reads that complete at once and reads that wait.)
/// </summary>
public class StreamBodyReadsTests
{
    private static readonly byte[] Event = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n");

    [Test]
    public void ARead_ThatCompletesAtOnce_IsAppliedByTheConsumer()
    {
        using var session = Session();
        var reads = new StreamBodyReads(new MemoryStream(Event), CancellationToken.None);

        Assert.That(session.Step(), Is.EqualTo(StepKind.NeedMore));
        Assert.That(reads.TryReadNow(session), Is.True);
        Assert.That(session.Step(), Is.EqualTo(StepKind.Chunk));
        Assert.That(session.CurrentText, Is.EqualTo("Hi"));

        // The body's end, read at once too, ends the session.
        Assert.That(session.Step(), Is.EqualTo(StepKind.NeedMore));
        Assert.That(reads.TryReadNow(session), Is.True);
        Assert.That(session.Step(), Is.EqualTo(StepKind.End));
    }

    [Test]
    public async Task ARead_ThatHasToWait_IsLeftForTheRunner_OnceAndUnapplied()
    {
        using var session = Session();
        var body = new WaitingStream();
        var reads = new StreamBodyReads(body, CancellationToken.None);

        Assert.That(session.Step(), Is.EqualTo(StepKind.NeedMore));
        Assert.That(reads.TryReadNow(session), Is.False);
        Assert.That(session.Step(), Is.EqualTo(StepKind.NeedMore), "nothing was applied");

        var left = reads.Next(session);
        Assert.That(left.IsCompleted, Is.False);
        Assert.That(body.Reads, Is.EqualTo(1), "the runner takes the consumer's read instead of starting another");
        body.Complete(Event);
        StreamBodyReads.Apply(session, await left);
        Assert.That(session.Step(), Is.EqualTo(StepKind.Chunk));
        Assert.That(session.CurrentText, Is.EqualTo("Hi"));

        // Taken once: the runner's next read is a new one.
        Assert.That(session.Step(), Is.EqualTo(StepKind.NeedMore));
        var next = reads.Next(session);
        Assert.That(body.Reads, Is.EqualTo(2));
        body.Complete([]);
        Assert.That(await next, Is.Zero);
    }

    [Test]
    public void ARead_ThatThrows_IsLeftForTheRunner_WhichMeetsTheSameException()
    {
        using var session = Session();
        var failure = new IOException("connection reset");
        var reads = new StreamBodyReads(new ThrowingStream(failure), CancellationToken.None);

        Assert.That(reads.TryReadNow(session), Is.False);
        var left = reads.Next(session);
        Assert.That(left.IsFaulted, Is.True);
        var thrown = Assert.ThrowsAsync<IOException>(async () => await left)!;
        Assert.That(thrown, Is.SameAs(failure));
    }

    [Test]
    public async Task ALeftRead_NeverTaken_IsWaitedFor_AndItsFailureSwallowed()
    {
        using var session = Session();
        var body = new WaitingStream();
        var reads = new StreamBodyReads(body, CancellationToken.None);
        Assert.That(reads.TryReadNow(session), Is.False);

        var settling = reads.SettleAsync().AsTask();
        Assert.That(settling.IsCompleted, Is.False, "it waits for the read in flight");
        body.Fail(new OperationCanceledException());
        await settling.WaitAsync(TimeSpan.FromSeconds(30));

        // Nothing is left: settling again is at once, and the runner's next read is a new one.
        var again = reads.SettleAsync();
        Assert.That(again.IsCompletedSuccessfully, Is.True);
        await again;
        var next = reads.Next(session);
        Assert.That(body.Reads, Is.EqualTo(2));
        body.Complete([]);
        Assert.That(await next, Is.Zero);
    }

    private static StreamSession Session() => new(FramingDriver.Plan(StreamFormat.Sse), maxLineBytes: 1 << 20, "the test call");

    /// <summary>A body whose every read waits until the test completes it (one read at a time).</summary>
    private sealed class WaitingStream : Stream
    {
        private TaskCompletionSource<byte[]>? _pending;
        private Memory<byte> _buffer;

        public int Reads { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Complete(byte[] bytes) => _pending!.SetResult(bytes);

        public void Fail(Exception e) => _pending!.SetException(e);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Assert.That(_pending is null || _pending.Task.IsCompleted, Is.True, "one read at a time");
            Reads++;
            _buffer = buffer;
            _pending = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask<int>(_pending.Task.ContinueWith(
                t =>
                {
                    var bytes = t.GetAwaiter().GetResult(); // (a failure as the stream's own, not wrapped)
                    bytes.CopyTo(_buffer);
                    return bytes.Length;
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default));
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body whose read throws where it is called, as a disposed one does.</summary>
    private sealed class ThrowingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
