using System.Net;
using System.Text;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Reliability;

/// <summary>The vendor's own word on a retry: x-should-retry, 529, a RetryInfo delay in the body, in-band retry_codes.</summary>
public class VendorRetryRulesTests
{
    private const string Ok = """{"choices":[{"message":{"content":"好的"},"finish_reason":"stop"}]}""";

    private static (ILlmClient Client, ManualTimeProvider Time) Client(RecordingHandler handler, LlmCatalog? catalog = null, string adapter = "openai")
    {
        var profile = new LlmProfile
        {
            Adapter = adapter,
            BaseUrl = "https://api.test/v1",
            Timeout = Timeout.InfiniteTimeSpan,
            Variables = { ["apikey"] = "sk-retry", ["model"] = "m" },
            Retry = { MaxRetries = 2, BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false },
        };
        var time = new ManualTimeProvider();
        return ((catalog ?? LlmCatalog.BuiltIn).CreateClient(profile, handler.Mock, time), time);
    }

    private static LlmRequest Sync => new() { Call = "chat_sync", Prompt = "hi" };

    private static RecordingHandler Responses(params Func<HttpResponseMessage>[] responses)
    {
        var queue = new Queue<Func<HttpResponseMessage>>(responses);
        return RecordingHandler.Respond(() =>
        {
            if (queue.Count == 0)
            {
                Assert.Fail("The client sent more requests than the test expected.");
            }

            return queue.Dequeue()();
        });
    }

    private static HttpResponseMessage Json(int status, string body, string? shouldRetry = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (shouldRetry is not null)
        {
            response.Headers.Add("x-should-retry", shouldRetry);
        }

        return response;
    }

    [Test]
    public async Task Status529_Overloaded_IsRetriedByDefault()
    {
        var handler = Responses(() => Json(529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""), () => Json(200, Ok));
        var (client, time) = Client(handler);
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That(response.Text, Is.EqualTo("好的"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void ShouldRetryFalse_OverridesARetryableStatus()
    {
        var handler = Responses(() => Json(503, """{"error":{"message":"down"}}""", "false"));
        var (client, _) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync))!;
        Assert.That(e.ShouldRetry, Is.False);
        Assert.That(handler.Requests, Has.Count.EqualTo(1), "x-should-retry: false: no second attempt");
    }

    [Test]
    public async Task ShouldRetryTrue_RetriesAStatusThePolicyWouldNot()
    {
        var handler = Responses(() => Json(409, """{"error":{"message":"lock timeout"}}""", "true"), () => Json(200, Ok));
        var (client, time) = Client(handler);
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That(response.Text, Is.EqualTo("好的"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void ShouldRetry_AnythingButTrueOrFalse_IsIgnored()
    {
        var handler = Responses(() => Json(400, """{"error":{"message":"bad"}}""", "maybe"));
        var (client, _) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync))!;
        Assert.That(e.ShouldRetry, Is.Null);
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    /// <summary>Gemini's 429 body (google.rpc.RetryInfo in error.details, a protobuf Duration) is honoured like Retry-After.</summary>
    [Test]
    public async Task RetryInfo_InTheBody_IsTheWait()
    {
        const string body = """
            {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[
              {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
              {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}
            """;
        var handler = Responses(() => Json(429, body), () => Json(200, Ok));
        var (client, time) = Client(handler);
        var (_, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(7) }));
    }

    [Test]
    public void RetryInfo_LongerThanMaxRetryAfter_FailsAtOnce_WithTheWaitAskedFor()
    {
        const string body = """{"error":{"code":429,"message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3600.5s"}]}}""";
        var handler = Responses(() => Json(429, body));
        var (client, _) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync))!;
        Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3600.5)));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void RetryInfo_ThatIsNotADuration_IsNoWait()
    {
        const string body = """{"error":{"code":429,"message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"soon"}]}}""";
        var handler = Responses(() => Json(400, body));
        var (client, _) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync))!;
        Assert.That(e.RetryAfter, Is.Null);
    }

    private const string InBandDefinition = """
        {
          "name": "inband",
          "chat": {
            "path": "/chat", "method": "POST", "apitype": "sync",
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "result" } ],
            "error": { "message": "error_msg", "code": "error_code", "retry_codes": [18, "336501"] }
          }
        }
        """;

    [TestCase("""{"error_code":18,"error_msg":"Open api qps request limit reached"}""")]
    [TestCase("""{"error_code":336501,"error_msg":"Rate limit reached for RPM"}""")]
    public async Task RetryCode_InA200Body_IsRetried(string error)
    {
        var handler = Responses(() => Json(200, error), () => Json(200, """{"result":"好的"}"""));
        var (client, time) = Client(handler, LlmCatalog.FromJson(InBandDefinition), "inband");
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Prompt = "hi" }));
        Assert.That(response.Text, Is.EqualTo("好的"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void OtherInBandCodes_AreNotRetried()
    {
        var handler = Responses(() => Json(200, """{"error_code":17,"error_msg":"Open api daily request limit reached"}"""));
        var (client, _) = Client(handler, LlmCatalog.FromJson(InBandDefinition), "inband");
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Prompt = "hi" }))!;
        Assert.That(e.VendorCode, Is.EqualTo("17"));
        Assert.That(e.ShouldRetry, Is.Null);
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void RetryCodes_WithoutACodePath_IsADefinitionError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""{ "name": "x", "chat": { "path": "/a", "error": { "message": "m", "retry_codes": [1] } } }"""))!;
        Assert.That(e.Message, Does.Contain("retry_codes").And.Contain("add \"code\""));
    }

    /// <summary>OpenAI-compatible hosts that leave error.code null and put the code in error.type: "a | b" takes the first that is there.</summary>
    [Test]
    public void CodeAlternatives_TakeErrorType_WhenErrorCodeIsNull()
    {
        const string definition = """{ "name": "x", "chat": { "path": "/a", "method": "POST", "data": [], "error": { "message": "error.message", "code": "error.code | error.type" } } }""";
        var handler = Responses(() => Json(400, """{"error":{"message":"Invalid model","type":"invalid_request_error","param":null,"code":null}}"""));
        var (client, _) = Client(handler, LlmCatalog.FromJson(definition), "x");
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Prompt = "hi" }))!;
        Assert.That(e.VendorCode, Is.EqualTo("invalid_request_error"));
    }
}
