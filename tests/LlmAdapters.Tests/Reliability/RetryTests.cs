using System.Net;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Reliability;

public class RetryTests
{
    private const string Ok = """{"choices":[{"message":{"content":"好的"},"finish_reason":"stop"}]}""";

    private static (ILlmClient Client, ManualTimeProvider Time) Client(RecordingHandler handler, Action<LlmProfile>? configure = null)
    {
        var profile = new LlmProfile
        {
            Adapter = "openai",
            BaseUrl = "https://api.test/v1",
            Timeout = Timeout.InfiniteTimeSpan,
            Variables = { ["apikey"] = "sk-retry", ["model"] = "m" },
            Retry = { MaxRetries = 2, BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false },
        };
        configure?.Invoke(profile);
        var time = new ManualTimeProvider();
        return (LlmCatalog.BuiltIn.CreateClient(profile, handler.Mock, time), time);
    }

    private static LlmRequest Sync => new() { Call = "chat_sync", Prompt = "hi" };

    [Test]
    public async Task ServerErrors_AreRetried_WithExponentialBackoff()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.ServiceUnavailable, "{}"), (HttpStatusCode.BadGateway, "{}"), (HttpStatusCode.OK, Ok));
        var (client, time) = Client(handler);
        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That(response.Text, Is.EqualTo("好的"));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) }));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task RetryAfter_IsHonoured()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.TooManyRequests, """{"error":{"message":"slow"}}"""), (HttpStatusCode.OK, Ok));
        var (client, time) = Client(handler);
        var (_, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(17) }), "the sequence handler's 429 says Retry-After: 17");
    }

    [Test]
    public void RetryAfter_LongerThanTheCap_FailsAtOnce_WithTheWaitAskedFor()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.TooManyRequests, "{}"));
        var (client, _) = Client(handler, p => p.Retry.MaxRetryAfter = TimeSpan.FromSeconds(10));
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync))!;
        Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(17)));
        Assert.That(e.Message, Does.Contain("wait 17 s"));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task NetworkErrors_AreRetried()
    {
        var calls = 0;
        using var flaky = new LambdaHandler((_, _) => ++calls == 1
            ? throw new HttpRequestException("Connection reset by peer")
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Ok) }));
        var time = new ManualTimeProvider();
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "https://api.test/v1", Timeout = Timeout.InfiniteTimeSpan, Variables = { ["apikey"] = "k", ["model"] = "m" }, Retry = { UseJitter = false } }, flaky, time);
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That((response.Text, calls), Is.EqualTo(("好的", 2)));
    }

    [TestCase(HttpStatusCode.BadRequest)]
    [TestCase(HttpStatusCode.Unauthorized)]
    [TestCase(HttpStatusCode.NotFound)]
    public void ClientErrors_AreNotRetried(HttpStatusCode status)
    {
        var handler = RecordingHandler.Sequence((status, """{"error":{"message":"no"}}"""));
        var (client, _) = Client(handler);
        Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void AfterTheLastRetry_TheVendorsErrorSurfaces()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.InternalServerError, """{"error":{"message":"boom"}}"""), (HttpStatusCode.InternalServerError, "{}"), (HttpStatusCode.InternalServerError, """{"error":{"message":"still boom"}}"""));
        var (client, time) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(Sync)))!;
        Assert.That((e.StatusCode, e.VendorMessage), Is.EqualTo((500, "still boom")));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Stream_IsRetried_BeforeItStarts()
    {
        var queue = new Queue<HttpResponseMessage>(
        [
            new(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("{}") },
            new(HttpStatusCode.OK) { Content = new StringContent(StreamResponses.OpenAi(["重试", "成功"]), System.Text.Encoding.UTF8, "text/event-stream") },
        ]);
        var handler = RecordingHandler.Respond(() => queue.Dequeue());
        var (client, time) = Client(handler);
        var (pieces, _) = await PollDriver.DriveAsync(time, () => StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest { Prompt = "hi" })));
        Assert.That(pieces, Is.EqualTo(new[] { "重试", "成功" }));
    }
}
