namespace LlmAdapters.Cli.Http;

/// <summary>A clock on which every wait ends at once, moving virtual time forward by the wait: replayed polls need no real waiting.</summary>
/// <remarks>
/// Only for replaying async calls with the profile's Timeout set to infinite: any finite wait ends immediately. A deadline
/// (the timer of a <see cref="CancellationTokenSource"/>, such as the poll deadline armed while a poll request is in
/// flight) never fires: replayed responses never hang, and firing it at once would fail every poll.
/// </remarks>
internal sealed class InstantTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private long _elapsedTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _start.AddTicks(Interlocked.Read(ref _elapsedTicks));

    public override long GetTimestamp() => Interlocked.Read(ref _elapsedTicks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new InstantTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Advance(TimeSpan by) => Interlocked.Add(ref _elapsedTicks, by.Ticks);

    private sealed class InstantTimer(InstantTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed || dueTime == Timeout.InfiniteTimeSpan || state is CancellationTokenSource)
            {
                return !_disposed;
            }

            clock.Advance(dueTime);
            ThreadPool.UnsafeQueueUserWorkItem(_ => callback(state), null);
            return true;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
