namespace LlmAdapters.Tests.TestSupport;

/// <summary>Runs a call whose waits go through a <see cref="ManualTimeProvider"/>: each time the call arms a timer, the clock jumps to it. No real waiting.</summary>
internal static class PollDriver
{
    public static async Task<(T Result, List<TimeSpan> Waits)> DriveAsync<T>(ManualTimeProvider time, Func<Task<T>> start, int maxSteps = 200)
    {
        var waits = new List<TimeSpan>();
        var call = start();
        for (var i = 0; i < maxSteps && !call.IsCompleted; i++)
        {
            var armed = time.WhenTimerArmedAsync();
            if (await Task.WhenAny(call, armed).WaitAsync(TimeSpan.FromSeconds(30)) == call)
            {
                break;
            }

            waits.Add(time.AdvanceToNextTimer());
        }

        return (await call.WaitAsync(TimeSpan.FromSeconds(30)), waits);
    }
}
