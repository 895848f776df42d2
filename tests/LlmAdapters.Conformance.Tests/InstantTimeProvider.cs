namespace LlmAdapters.Conformance.Tests;

/// <summary>
/// A clock on which every wait ends at once: a timer fires as soon as it is set, and the clock jumps by its due time.
/// Async cases poll through it, so a poll sequence with 2-second intervals replays in milliseconds while the
/// deadline arithmetic still sees the intervals. A deadline (the timer of a <see cref="CancellationTokenSource"/>: a
/// request timeout, the poll deadline armed while a poll request is in flight) never fires: a replayed exchange never hangs.
/// </summary>
internal sealed class InstantTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => new InstantTimer(this, callback, state, dueTime);

    private sealed class InstantTimer : ITimer
    {
        private readonly InstantTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private int _disposed;

        public InstantTimer(InstantTimeProvider owner, TimerCallback callback, object? state, TimeSpan dueTime)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            Change(dueTime, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || _state is CancellationTokenSource || Volatile.Read(ref _disposed) == 1)
            {
                return true;
            }

            Interlocked.Add(ref _owner._ticks, dueTime.Ticks);
            ThreadPool.UnsafeQueueUserWorkItem(_ => { if (Volatile.Read(ref _disposed) == 0) { _callback(_state); } }, null);
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
