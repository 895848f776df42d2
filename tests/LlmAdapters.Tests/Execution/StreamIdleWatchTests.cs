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

        // Reads every 5 s for a minute: no wait reaches 7 s, however long the stream runs.
        for (var i = 0; i < 12; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.That(source.IsCancellationRequested, Is.False, $"after {(i + 1) * 5} s");
            watch.WaitStarting();
        }

        // The last wait started at 60 s: it is cut at 67 s, not before.
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.That(source.IsCancellationRequested, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(source.IsCancellationRequested, Is.True);
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
