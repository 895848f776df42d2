namespace LlmAdapters.Execution;

/// <summary>
/// Cancels a stream's timeout source when a wait for more of the body has lasted
/// <see cref="ClientSettings.StreamIdleTimeout"/>, as <c>CancelAfter</c> before each read would, but with one timer for
/// the whole stream.
/// </summary>
/// <remarks>
/// Only a read that has to wait is timed (<see cref="WaitStarting"/> and <see cref="WaitEnded"/> around its await): a
/// read of bytes already buffered takes no time to bound, and stamping it cost a clock read per chunk on a fast stream.
/// <c>CancelAfter</c> per read changed a timer (a lock on the runtime's timer queue) for every read. The timer here fires
/// at the idle timeout; when no wait is pending then, or one started since, it is set again for what is left: so the
/// source is cancelled exactly when one wait has lasted the idle timeout. The time a consumer holds a chunk between
/// reads is not a wait, and never counts.
/// </remarks>
internal sealed class StreamIdleWatch : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _idle;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _waitStarted = NotWaiting; // when the pending wait began, or NotWaiting: one field, read by the timer at once
    private volatile bool _disposed;

    public StreamIdleWatch(CancellationTokenSource source, TimeSpan idle, TimeProvider time)
    {
        _source = source;
        _idle = idle;
        _time = time;
        // Armed only once assigned: a timer that fired inside the constructor (a tiny timeout) would find no timer to set again.
        _timer = time.CreateTimer(static state => ((StreamIdleWatch)state!).Check(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(idle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A wait for more of the body starts now: the idle timeout counts from here.</summary>
    public void WaitStarting() => Volatile.Write(ref _waitStarted, _time.GetTimestamp());

    /// <summary>The wait is over (the read completed or failed): nothing is timed until the next one starts.</summary>
    public void WaitEnded() => Volatile.Write(ref _waitStarted, NotWaiting);

    private const long NotWaiting = long.MinValue;

    private void Check()
    {
        if (_disposed)
        {
            return;
        }

        var started = Volatile.Read(ref _waitStarted);
        var waited = started == NotWaiting ? TimeSpan.Zero : _time.GetElapsedTime(started);
        if (waited < _idle)
        {
            _timer.Change(_idle - waited, Timeout.InfiniteTimeSpan);
            return;
        }

        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream ended while the timer fired: nothing is waiting any more.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }
}
