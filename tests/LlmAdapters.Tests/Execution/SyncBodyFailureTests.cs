using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Execution;

/// <summary>A sync body that cannot be read as what it claims (not text, cut by the connection) is an LlmException, never a .NET exception from below.</summary>
public class SyncBodyFailureTests
{
    private const string Ok = """{"id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"好的"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";

    private static LlmProfile OpenAi(int retries = 0) => new()
    {
        Adapter = "openai",
        BaseUrl = "https://api.test/v1",
        Variables = { ["apikey"] = "sk-body-secret", ["model"] = "m" },
        Retry = { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(1), UseJitter = false },
    };

    private static RecordingHandler Bytes(byte[] body, HttpStatusCode status = HttpStatusCode.OK)
        => RecordingHandler.Respond(() => new HttpResponseMessage(status) { Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } });

    /// <summary>The body with <c>@</c> replaced by the byte 0xFF (never valid in UTF-8).</summary>
    private static byte[] WithFF(string json) => [.. Encoding.UTF8.GetBytes(json).Select(b => b == (byte)'@' ? (byte)0xFF : b)];

    private static readonly LlmRequest Chat = new() { Call = "chat_sync", Prompt = "hi" };

    public static IEnumerable<TestCaseData> NotText()
    {
        yield return new TestCaseData(WithFF(Ok.Replace("好的", "好@", StringComparison.Ordinal)), "content").SetName("Text_InvalidUtf8");
        yield return new TestCaseData(Encoding.UTF8.GetBytes(Ok.Replace("好的", "\\uD800", StringComparison.Ordinal)), "content").SetName("Text_LoneSurrogateEscape");
        yield return new TestCaseData(WithFF(Ok.Replace("\"c1\"", "\"c@\"", StringComparison.Ordinal)), "id").SetName("OtherItem_InvalidUtf8");
        yield return new TestCaseData(Encoding.UTF8.GetBytes(Ok.Replace("\"m\"", "\"m\\uDC00\"", StringComparison.Ordinal)), "model").SetName("OtherItem_LoneSurrogateEscape");
        yield return new TestCaseData(WithFF(Ok.Replace("\"total_tokens\":5", "\"total_tokens\":5,\"note\":\"@\"", StringComparison.Ordinal)), "usage").SetName("NestedString_InvalidUtf8");
        yield return new TestCaseData(WithFF(Ok.Replace("\"total_tokens\":5", "\"total_tokens\":5,\"@\":1", StringComparison.Ordinal)), "usage").SetName("PropertyName_InvalidUtf8");
    }

    [TestCaseSource(nameof(NotText))]
    public void ItemsThatAreNotText_FailTheCall_NotALaterRead(byte[] body, string item)
    {
        var client = LlmCatalog.BuiltIn.CreateClient(OpenAi(), Bytes(body).Mock);
        var e = Assert.ThrowsAsync<LlmException>(() => client.CallAsync(Chat))!;
        Assert.That(e.Message, Does.Contain("is not valid text").And.Contain($"resp item '{item}'"));
    }

    [Test]
    public async Task ValidText_ItemsReadLater_NeverThrow()
    {
        var body = Ok.Replace("好的", "好\\n的 \\ud83d\\ude00", StringComparison.Ordinal).Replace("\"total_tokens\":5", "\"total_tokens\":5,\"note\":\"中\\\"文\"", StringComparison.Ordinal);
        var response = await LlmCatalog.BuiltIn.CreateClient(OpenAi(), Bytes(Encoding.UTF8.GetBytes(body)).Mock).CallAsync(Chat);
        Assert.That(response.Text, Is.EqualTo("好\n的 😀"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(3, 2, 5)));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
        Assert.That(response.Fields["usage"].GetProperty("note").GetString(), Is.EqualTo("中\"文"));
    }

    [Test]
    public async Task UsageNumbers_BeyondALong_AreUnknown_NotGarbage()
    {
        var body = Ok.Replace("\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5", "\"prompt_tokens\":1e400,\"completion_tokens\":2,\"total_tokens\":123456789012345678901234567890", StringComparison.Ordinal);
        var response = await LlmCatalog.BuiltIn.CreateClient(OpenAi(), Bytes(Encoding.UTF8.GetBytes(body)).Mock).CallAsync(Chat);
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(null, 2, null)));
    }

    [Test]
    public void DocumentPath_ItemThatIsNotText_FailsTheCall()
    {
        // A negative index needs the whole document (not the one-pass reader).
        var catalog = LlmCatalog.FromJson("""{ "name": "t", "chat": { "path": "/c", "resp": [ { "name": "content", "value": "choices[-1].text" } ] } }""", "t.json");
        var client = catalog.CreateClient(new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" }, Bytes(WithFF("""{"choices":[{"text":"a"},{"text":"b@"}]}""")).Mock);
        var e = Assert.ThrowsAsync<LlmException>(() => client.CallAsync(new LlmRequest()))!;
        Assert.That(e.Message, Does.Contain("is not valid text").And.Contain("resp item 'content' (path 'choices[-1].text')"));
    }

    [Test]
    public void InBandError_WhoseMessageIsNotText_IsAnHttpError_SayingSo()
    {
        var catalog = LlmCatalog.FromJson("""
            { "name": "t", "chat": { "path": "/c", "resp": [ { "name": "content", "value": "reply" } ],
              "error": { "message": "base_resp.status_msg", "code": "base_resp.status_code", "ok_codes": [0] } } }
            """, "t.json");
        var client = catalog.CreateClient(new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" }, Bytes(WithFF("""{"reply":"","base_resp":{"status_code":1004,"status_msg":"bad @ key"}}""")).Mock);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest()))!;
        Assert.That(e.StatusCode, Is.EqualTo(200));
        Assert.That(e.VendorCode, Is.EqualTo("1004"));
        Assert.That(e.VendorMessage, Is.Null, "a message that is not text is left out, not guessed at");
        Assert.That(e.Message, Does.Contain("not valid text"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ErrorBody_ThatIsNotText_IsAnHttpError_SayingSo(bool json)
    {
        var body = json ? WithFF("""{"error":{"message":"quota @","code":"insufficient_quota"}}""") : WithFF("<html>@ bad gateway</html>");
        var client = LlmCatalog.BuiltIn.CreateClient(OpenAi(), Bytes(body, HttpStatusCode.BadRequest).Mock);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Chat))!;
        Assert.That(e.StatusCode, Is.EqualTo(400));
        Assert.That(e.VendorMessage, Is.Null);
        Assert.That(e.VendorCode, Is.EqualTo(json ? "insufficient_quota" : null));
        Assert.That(e.Message, Does.Contain("its body is not valid text"));
    }

    /// <summary>Serves the headers and the first bytes of <see cref="Ok"/> with its full Content-Length, then resets the connection; the next request gets it whole.</summary>
    private static RequestDelegate ResetThenOk(Func<int> attempt, HeadersReadSignal client) => async context =>
    {
        var body = Encoding.UTF8.GetBytes(Ok);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        if (attempt() == 1)
        {
            await context.Response.Body.WriteAsync(body.AsMemory(0, 20));
            await context.Response.Body.FlushAsync();
            await client.HeadersRead.WaitAsync(TimeSpan.FromSeconds(10));
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(body);
    };

    [Test]
    public async Task ConnectionReset_WhileReadingTheBody_IsRetried()
    {
        await using var server = await LoopbackServer.StartAsync();
        var attempts = 0;
        using var handler = new HeadersReadSignal();
        var path = server.Route(ResetThenOk(() => Interlocked.Increment(ref attempts), handler), "/chat/completions");
        var profile = OpenAi(retries: 1);
        profile.BaseUrl = server.BaseUrl + path;

        var response = await LlmCatalog.BuiltIn.CreateClient(profile, handler).CallAsync(Chat);

        Assert.That(response.Text, Is.EqualTo("好的"));
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task ConnectionReset_WhileReadingTheBody_WithoutRetries_IsAnHttpError()
    {
        await using var server = await LoopbackServer.StartAsync();
        var attempts = 0;
        using var handler = new HeadersReadSignal();
        var path = server.Route(ResetThenOk(() => Interlocked.Increment(ref attempts), handler), "/chat/completions");
        var profile = OpenAi(retries: 0);
        profile.BaseUrl = server.BaseUrl + path;

        var e = Assert.ThrowsAsync<LlmHttpException>(() => LlmCatalog.BuiltIn.CreateClient(profile, handler).CallAsync(Chat))!;

        Assert.That(e.StatusCode, Is.EqualTo(200), e.Message);
        Assert.That(e.Message, Does.Contain("the connection failed while reading the body").And.Not.Contain("sk-body-secret"));
        Assert.That(e.InnerException, Is.Null, "the transport's exception is quoted, not chained");
        Assert.That(attempts, Is.EqualTo(1));
    }
}
