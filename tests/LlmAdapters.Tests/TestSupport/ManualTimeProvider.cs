namespace LlmAdapters.Tests.TestSupport;

/// <summary>A clock that moves only when told (Microsoft.Extensions.TimeProvider.Testing is not served here).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _armWaiters = [];
    private readonly List<(int Count, TaskCompletionSource Armed)> _countWaiters = [];
    private readonly List<TaskCompletionSource> _waitWaiters = [];
    private readonly List<TaskCompletionSource> _stampWaiters = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    // Elapsed-time measurements (GetTimestamp / GetElapsedTime) follow the fake clock too.
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        TaskCompletionSource[] stamped;
        long ticks;
        lock (_gate)
        {
            ticks = _now.UtcTicks;
            stamped = [.. _stampWaiters];
            _stampWaiters.Clear();
        }

        foreach (var waiter in stamped)
        {
            waiter.TrySetResult();
        }

        return ticks;
    }

    /// <summary>Completes when the clock is next read for a timestamp (an idle timeout noting that a read has to wait).</summary>
    public Task NextTimestampRead()
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _stampWaiters.Add(read);
        }

        return read.Task;
    }

    /// <summary>Completes when at least <paramref name="count"/> timers are armed at once.</summary>
    public Task WhenArmedTimersAtLeastAsync(int count)
    {
        lock (_gate)
        {
            if (_timers.Count(t => t.DueAt != DateTimeOffset.MaxValue) >= count)
            {
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _countWaiters.Add((count, armed));
            return armed.Task;
        }
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt <= _now).ToList();
        }

        foreach (var timer in due)
        {
            timer.Fire(_now);
        }
    }

    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt != DateTimeOffset.MaxValue);
            }
        }
    }

    /// <summary>Completes when a timer is next set to fire after <paramref name="due"/> (for example an idle timeout armed before a read).</summary>
    public Task NextArmed(TimeSpan due)
    {
        var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _armWaiters.Add((due, armed));
        }

        return armed.Task;
    }

    /// <summary>Completes when some timer is armed: at once if one is armed now, else when the next one is.</summary>
    public Task WhenTimerArmedAsync()
    {
        lock (_gate)
        {
            if (_timers.Any(t => t.DueAt != DateTimeOffset.MaxValue))
            {
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _armWaiters.Add((Timeout.InfiniteTimeSpan, armed));
            return armed.Task;
        }
    }

    /// <summary>
    /// Completes when a wait (a timer that is not a deadline: <c>Task.Delay</c>, Polly's backoff) is armed: at once if one
    /// is armed now. A deadline is the timer of a <see cref="CancellationTokenSource"/> (a timeout, poll_timeout): armed
    /// while a request is in flight, so a driver that jumped to it would time out requests that were about to answer.
    /// </summary>
    public Task WhenWaitArmedAsync()
    {
        lock (_gate)
        {
            if (_timers.Any(t => t.DueAt != DateTimeOffset.MaxValue && !t.IsDeadline))
            {
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waitWaiters.Add(armed);
            return armed.Task;
        }
    }

    /// <summary>Moves the clock to the earliest armed timer and fires it; returns how far the clock moved.</summary>
    public TimeSpan AdvanceToNextTimer()
    {
        TimeSpan step;
        lock (_gate)
        {
            var next = _timers.Where(t => t.DueAt != DateTimeOffset.MaxValue).Select(t => t.DueAt).DefaultIfEmpty(_now).Min();
            step = next - _now;
        }

        Advance(step);
        return step;
    }

    private void OnArmed(TimeSpan due, bool deadline)
    {
        List<TaskCompletionSource> ready;
        lock (_gate)
        {
            if (!deadline)
            {
                _waitWaiters.ForEach(w => w.TrySetResult());
                _waitWaiters.Clear();
            }

            // Waiters for this exact due time, and those waiting for any timer (InfiniteTimeSpan).
            ready = _armWaiters.Where(w => w.Due == due || w.Due == Timeout.InfiniteTimeSpan).Select(w => w.Armed).ToList();
            _armWaiters.RemoveAll(w => w.Due == due || w.Due == Timeout.InfiniteTimeSpan);
            var armedNow = _timers.Count(t => t.DueAt != DateTimeOffset.MaxValue);
            ready.AddRange(_countWaiters.Where(w => armedNow >= w.Count).Select(w => w.Armed));
            _countWaiters.RemoveAll(w => armedNow >= w.Count);
        }

        foreach (var r in ready)
        {
            r.SetResult();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        /// <summary>The timer of a cancellation token source (a deadline), not a wait.</summary>
        public bool IsDeadline { get; } = state is CancellationTokenSource;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : owner._now + dueTime;
                _period = period;
            }

            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                owner.OnArmed(dueTime, IsDeadline);
            }

            return true;
        }

        public void Fire(DateTimeOffset now)
        {
            lock (owner._gate)
            {
                DueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? DateTimeOffset.MaxValue : now + _period;
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
