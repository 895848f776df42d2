namespace LlmAdapters.Tests.TestSupport;

/// <summary>
/// Runs a call whose waits go through a <see cref="ManualTimeProvider"/>: each time the call waits (<c>Task.Delay</c>,
/// a retry backoff), the clock jumps to the earliest armed timer. No real waiting. A deadline armed while a request is in
/// flight (a timeout, poll_timeout) is not a wait: the clock does not jump to it, else every request would time out.
/// </summary>
internal static class PollDriver
{
    public static async Task<(T Result, List<TimeSpan> Waits)> DriveAsync<T>(ManualTimeProvider time, Func<Task<T>> start, int maxSteps = 200)
    {
        var waits = new List<TimeSpan>();
        var call = start();
        for (var i = 0; i < maxSteps && !call.IsCompleted; i++)
        {
            var armed = time.WhenWaitArmedAsync();
            if (await Task.WhenAny(call, armed).WaitAsync(TimeSpan.FromSeconds(30)) == call)
            {
                break;
            }

            waits.Add(time.AdvanceToNextTimer());
        }

        return (await call.WaitAsync(TimeSpan.FromSeconds(30)), waits);
    }
}
