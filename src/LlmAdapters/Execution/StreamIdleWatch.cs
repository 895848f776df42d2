namespace LlmAdapters.Execution;

/// <summary>
/// Cancels a stream's timeout source when <see cref="ClientSettings.StreamIdleTimeout"/> has passed since the last wait
/// for more of the body began, as <c>CancelAfter</c> before each read would, but with one timer for the whole stream.
/// </summary>
/// <remarks>
/// A read only stamps the time (<see cref="WaitStarting"/>). <c>CancelAfter</c> per read changed a timer (a lock on the
/// runtime's timer queue) for every read, which on a stream flushed event by event is every chunk. The timer here fires
/// at the idle timeout, and when a read started since then it is set again for what is left of that read's timeout: so
/// the source is cancelled exactly when a wait has lasted the idle timeout, as before.
/// </remarks>
internal sealed class StreamIdleWatch : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _idle;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _waitStarted;
    private volatile bool _disposed;

    public StreamIdleWatch(CancellationTokenSource source, TimeSpan idle, TimeProvider time)
    {
        _source = source;
        _idle = idle;
        _time = time;
        _waitStarted = time.GetTimestamp();
        // Armed only once assigned: a timer that fired inside the constructor (a tiny timeout) would find no timer to set again.
        _timer = time.CreateTimer(static state => ((StreamIdleWatch)state!).Check(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(idle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A wait for more of the body starts now: the idle timeout counts from here.</summary>
    public void WaitStarting() => Volatile.Write(ref _waitStarted, _time.GetTimestamp());

    private void Check()
    {
        if (_disposed)
        {
            return;
        }

        var waited = _time.GetElapsedTime(Volatile.Read(ref _waitStarted));
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
