using System.Net;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Execution;

/// <summary>One translation of an expired timeout (PlanRunner.Expired): every call kind says which timeout expired.</summary>
public class TimeoutTests
{
    private static LlmProfile Profile(TimeSpan timeout) => new() { Adapter = "openai", BaseUrl = "https://openai.test/v1", Timeout = timeout, Retry = { MaxRetries = 0 }, Variables = { ["apikey"] = "k", ["model"] = "gpt" } };

    /// <summary>A vendor that never answers: the request waits until it is cancelled.</summary>
    private static LambdaHandler Silent(TaskCompletionSource arrived) => new(async (_, token) =>
    {
        arrived.TrySetResult();
        await Task.Delay(Timeout.Infinite, token);
        return new HttpResponseMessage(HttpStatusCode.OK);
    });

    [Test]
    public async Task Stream_NoHeadersWithinTheProfilesTimeout_SaysSo()
    {
        var time = new ManualTimeProvider();
        var arrived = new TaskCompletionSource();
        using var handler = Silent(arrived);
        var client = LlmCatalog.BuiltIn.CreateClient(Profile(TimeSpan.FromSeconds(30)), handler, time);

        var task = client.StreamAsync(new LlmRequest { Prompt = "p" }).GetAsyncEnumerator().MoveNextAsync().AsTask();
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(31));

        var e = Assert.ThrowsAsync<LlmTimeoutException>(async () => await task)!;
        Assert.That(e.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(e.Message, Does.Contain("got no response headers within the timeout of 30 s of profile"));
    }

    [TestCase("chat_sync", "did not finish")]
    [TestCase("chat", "got no response headers")]
    public void TheCallersHttpClientTimeout_IsNamed_ForSyncAndStreamCalls(string call, string what)
    {
        var arrived = new TaskCompletionSource();
        using var handler = Silent(arrived);
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMilliseconds(200) };
        var client = LlmCatalog.BuiltIn.CreateClient(Profile(Timeout.InfiniteTimeSpan), http);

        var e = Assert.ThrowsAsync<LlmTimeoutException>(async () => await client.CallAsync(new LlmRequest { Call = call, Prompt = "p" }))!;

        Assert.That(e.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
        Assert.That(e.Message, Does.Contain($"{what} within the HttpClient's Timeout"));
    }
}
