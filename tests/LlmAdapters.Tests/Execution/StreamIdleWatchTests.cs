using LlmAdapters.Execution;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Execution;

public class StreamIdleWatchTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(7);

    [Test]
    public void AWaitLongerThanTheIdleTimeout_Cancels()
    {
        var time = new ManualTimeProvider();
        using var source = new CancellationTokenSource();
        using var watch = new StreamIdleWatch(source, Idle, time);
        watch.WaitStarting();

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.That(source.IsCancellationRequested, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(source.IsCancellationRequested, Is.True);
    }

    [Test]
    public void EachWait_RestartsTheIdleTimeout_WithoutCountingTheEarlierOnes()
    {
        var time = new ManualTimeProvider();
        using var source = new CancellationTokenSource();
        using var watch = new StreamIdleWatch(source, Idle, time);

        // A read every 5 s for a minute, each waiting the 5 s: no wait reaches 7 s, however long the stream runs.
        for (var i = 0; i < 12; i++)
        {
            watch.WaitStarting();
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.That(source.IsCancellationRequested, Is.False, $"after {(i + 1) * 5} s");
            watch.WaitEnded();
        }

        watch.WaitStarting();

        // The last wait started at 60 s: it is cut at 67 s, not before.
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.That(source.IsCancellationRequested, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(source.IsCancellationRequested, Is.True);
    }

    [Test]
    public void TheTimeAConsumerHoldsAChunk_IsNotAWait()
    {
        var time = new ManualTimeProvider();
        using var source = new CancellationTokenSource();
        using var watch = new StreamIdleWatch(source, Idle, time);

        // Reads served from buffered bytes never wait; the consumer then takes 20 s over its chunk: nothing is cut.
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.That(source.IsCancellationRequested, Is.False);

        // The next wait counts from its own start (at 20 s), not from the watch's or the last read's.
        watch.WaitStarting();
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.That(source.IsCancellationRequested, Is.False, "6 s into the wait");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(source.IsCancellationRequested, Is.True, "7 s into the wait");
    }

    [Test]
    public void AWaitThatEndedInTime_IsNotCut_WhenTheTimerFiresLater()
    {
        var time = new ManualTimeProvider();
        using var source = new CancellationTokenSource();
        using var watch = new StreamIdleWatch(source, Idle, time);

        watch.WaitStarting();
        time.Advance(TimeSpan.FromSeconds(6));
        watch.WaitEnded();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(source.IsCancellationRequested, Is.False);
    }

    [Test]
    public void AfterDispose_ItNeverCancels()
    {
        var time = new ManualTimeProvider();
        using var source = new CancellationTokenSource();
        var watch = new StreamIdleWatch(source, Idle, time);
        watch.Dispose();

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(source.IsCancellationRequested, Is.False);
        Assert.That(time.ActiveTimers, Is.Zero);
    }
}
