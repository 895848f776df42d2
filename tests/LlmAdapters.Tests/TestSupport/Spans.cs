using System.Collections.Concurrent;
using System.Diagnostics;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>Collects LlmAdapters' spans in tests.</summary>
public static class Spans
{
    /// <summary>Collects every finished LlmAdapters span, all data recorded, until the listener is disposed.</summary>
    public static ActivityListener Listen(out ConcurrentQueue<Activity> finished)
    {
        var queue = finished = new ConcurrentQueue<Activity>();
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "LlmAdapters",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = queue.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
