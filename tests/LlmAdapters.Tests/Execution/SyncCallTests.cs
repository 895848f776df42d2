using System.Net;
using System.Text;
using System.Text.Json;
using LlmAdapters.Tests.TestSupport;
using RichardSzalay.MockHttp;

namespace LlmAdapters.Tests.Execution;

public class SyncCallTests
{
    private const string Secret = "sk-SECRET-4f1b9c";

    private const string Definition = """
        {
          "name": "test",
          "chat": {
            "path": "/v1/chat",
            "method": "POST",
            "apitype": "sync",
            "headers": [
              { "name": "Authorization", "value": "Bearer ${apikey}" },
              { "name": "X-Trace", "value": "${trace?}" },
              { "name": "X-Count", "value": 3 }
            ],
            "params": [
              { "name": "group id", "value": "${groupid}" },
              { "name": "tag", "value": "${tags?}" },
              { "name": "v", "value": "${version:-2}" }
            ],
            "data": [
              { "name": "model", "value": "${model}" },
              { "name": "messages", "value": "${messages}" },
              { "name": "max_tokens", "value": "${max_tokens?}" },
              { "name": "temperature", "value": "${temperature?}" },
              { "name": "n", "value": "${n:-1}", "converter": "int" },
              { "name": "prompt", "value": "${prompt}" },
              { "name": "system", "value": "${system?}" },
              { "name": "extra", "value": { "deep": ["${flag?}", "${groupid}"] } }
            ],
            "resp": [
              { "name": "id", "value": "id" },
              { "name": "content", "value": "choices[0].message.content" },
              { "name": "finish_reason", "value": "choices[0].finish_reason" },
              { "name": "usage", "value": "usage" },
              { "name": "missing", "value": "not.there[3]" },
              { "name": "count", "value": "count", "converter": "int" }
            ]
          },
          "vision": {
            "path": "/v1/vision",
            "input_items": ["prompt", "image"],
            "data": [ { "name": "images", "value": "${images}", "converter": "data_url" } ]
          },
          "raw": { "path": "/raw", "method": "GET" },
          "inband": {
            "path": "/inband",
            "resp": [ { "name": "text", "value": "reply" } ],
            "error": { "message": "base_resp.status_msg", "code": "base_resp.status_code", "ok_codes": [0] }
          },
          "absolute": { "path": "${base_url}/x/${model}", "method": "GET" }
        }
        """;

    private const string OkBody = """
        {"id":"r1","choices":[{"message":{"role":"assistant","content":"你好！😀"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13},"count":"7"}
        """;

    private static readonly LlmCatalog Catalog = LlmCatalog.FromJson(Definition, "test.json");

    private static LlmProfile Profile() => new()
    {
        Adapter = "test",
        BaseUrl = "https://api.example.com/",
        Variables = { ["apikey"] = Secret, ["model"] = "m-1", ["groupid"] = "g&1" },
        Retry = new LlmRetryOptions { MaxRetries = 0 }, // these tests look at one response; Reliability/RetryTests covers retries
    };

    private static ILlmClient Client(RecordingHandler handler, LlmProfile? profile = null, TimeProvider? time = null)
        => Catalog.CreateClient(profile ?? Profile(), handler.Mock, time);

    [Test]
    public async Task Call_SendsExactRequest()
    {
        var handler = RecordingHandler.Json(OkBody);
        await Client(handler).CallAsync(new LlmRequest
        {
            System = "be brief",
            Messages = [LlmMessage.User("你好"), LlmMessage.Assistant("hi"), LlmMessage.User("again")],
            MaxTokens = 256,
            Variables = new Dictionary<string, object?> { ["tags"] = new[] { "a", "b c" }, ["flag"] = true },
        });

        var sent = handler.Last;
        Assert.That(sent.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(sent.Url.AbsoluteUri, Is.EqualTo("https://api.example.com/v1/chat?group%20id=g%261&tag=a&tag=b%20c&v=2"));
        Assert.That(sent.Headers["Authorization"], Is.EqualTo("Bearer " + Secret));
        Assert.That(sent.Headers["X-Count"], Is.EqualTo("3"));
        Assert.That(sent.Headers.ContainsKey("X-Trace"), Is.False, "an optional header without value is omitted");
        Assert.That(sent.ContentType, Does.StartWith("application/json"));
        Json.AssertEqual("""
            {
              "model": "m-1",
              "messages": [
                {"role":"system","content":"be brief"},
                {"role":"user","content":"你好"},
                {"role":"assistant","content":"hi"},
                {"role":"user","content":"again"}
              ],
              "max_tokens": 256,
              "n": 1,
              "prompt": "again",
              "system": "be brief",
              "extra": { "deep": [true, "g&1"] }
            }
            """, sent.Body!);
    }

    [Test]
    public async Task Call_MapsResponse()
    {
        var response = await Client(RecordingHandler.Json(OkBody)).CallAsync(new LlmRequest { Prompt = "hi" });

        Assert.That(response.Text, Is.EqualTo("你好！😀"));
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(9, 4, 13)));
        Assert.That(response.GetString("id"), Is.EqualTo("r1"));
        Assert.That(response.Fields["missing"].ValueKind, Is.EqualTo(JsonValueKind.Null), "a path that finds nothing gives null");
        Assert.That(response.Fields["count"].GetInt32(), Is.EqualTo(7), "converters apply to resp items");
        Assert.That(response.Fields.Keys, Is.EquivalentTo(new[] { "id", "content", "finish_reason", "usage", "missing", "count" }));
    }

    [Test]
    public async Task RequestVariables_OverrideProfileVariables()
    {
        var handler = RecordingHandler.Json(OkBody);
        await Client(handler).CallAsync(new LlmRequest { Prompt = "p", Model = "from-request", Variables = new Dictionary<string, object?> { ["groupid"] = "g2" } });
        Assert.That(JsonDocument.Parse(handler.Last.Body!).RootElement.GetProperty("model").GetString(), Is.EqualTo("from-request"));
        Assert.That(handler.Last.Url.Query, Does.Contain("group%20id=g2"));
    }

    [Test]
    public async Task RequestVariables_NamedLikeStandardOnes_WinOverTheRequestsOwnValues()
    {
        // The standard variables are written straight into the body; a request variable of the same name still comes first.
        var handler = RecordingHandler.Json(OkBody);
        await Client(handler).CallAsync(new LlmRequest
        {
            Prompt = "p",
            Model = "from-request",
            Variables = new Dictionary<string, object?> { ["model"] = "from-variables", ["messages"] = new[] { "raw" } },
        });

        var body = JsonDocument.Parse(handler.Last.Body!).RootElement;
        Assert.That(body.GetProperty("model").GetString(), Is.EqualTo("from-variables"));
        Assert.That(body.GetProperty("messages").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { "raw" }));
        Assert.That(body.GetProperty("prompt").GetString(), Is.EqualTo("p"), "standard variables the request does not override still come from it");
    }

    [Test]
    public async Task StreamAsync_OnSyncCall_YieldsWholeTextOnce()
    {
        var pieces = new List<string>();
        await foreach (var piece in Client(RecordingHandler.Json(OkBody)).StreamAsync(new LlmRequest { Prompt = "hi" }))
        {
            pieces.Add(piece);
        }

        Assert.That(pieces, Is.EqualTo(new[] { "你好！😀" }));
    }

    [Test]
    public void MissingVariable_FailsBeforeAnyRequest()
    {
        var handler = RecordingHandler.Json(OkBody);
        var profile = Profile();
        profile.Variables.Remove("model");
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler, profile).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.Message, Does.Contain("'model'").And.Contain("data item 'model'").And.Contain("call 'chat'").And.Contain("test.json, line"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [TestCase("\"\\ud800\"")]
    [TestCase("[\"ok\", \"\\udc00\"]")]
    [TestCase("{\"\\ud83d\": 1}")]
    public void AJsonVariableThatIsNotText_FailsBeforeAnyRequest_AsAnLlmRequestException(string json)
    {
        // An escaped half of a surrogate pair is valid JSON that no body can be written from: it threw the reader's
        // InvalidOperationException out of the call, after the request had been half built.
        var handler = RecordingHandler.Json(OkBody);
        using var document = JsonDocument.Parse(json);
        var request = new LlmRequest { Prompt = "p", Variables = new Dictionary<string, object?> { ["stop"] = document.RootElement.Clone() } };

        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(request))!;

        Assert.That(e.Message, Does.Contain("'stop'").And.Contain("not text"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Images_ToCallWithoutImageInput_FailBeforeSending()
    {
        var handler = RecordingHandler.Json(OkBody);
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "p", Images = [LlmMedia.FromUrl("https://x/a.png")] }))!;
        Assert.That(e.Message, Does.Contain("does not accept them").And.Contain("'vision'"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task Images_AreSentThroughConverter()
    {
        var handler = RecordingHandler.Json("{}");
        await Client(handler).CallAsync(new LlmRequest
        {
            Call = "vision",
            Images = [LlmMedia.FromBytes(new byte[] { 1, 2, 3 }, "image/png"), LlmMedia.FromUrl("https://x/b.jpg")],
        });
        Json.AssertEqual("""{"images":["data:image/png;base64,AQID","https://x/b.jpg"]}""", handler.Last.Body!);
    }

    [Test]
    public async Task PathAlternatives_InSyncResponses()
    {
        var catalog = LlmCatalog.FromJson("""{ "name": "a", "c": { "path": "/c", "resp": [ { "name": "text", "value": "output.text | choices[0].message.content | ['x|y']" } ] } }""");
        var client = catalog.CreateClient(new LlmProfile { Adapter = "a", BaseUrl = "https://h" }, RecordingHandler.Json("""{"output":{"text":null},"choices":[{"message":{"content":"second"}}]}""").Mock);
        Assert.That((await client.CallAsync(new LlmRequest { Call = "c" })).Text, Is.EqualTo("second"));
        client = catalog.CreateClient(new LlmProfile { Adapter = "a", BaseUrl = "https://h" }, RecordingHandler.Json("""{"x|y":"quoted"}""").Mock);
        Assert.That((await client.CallAsync(new LlmRequest { Call = "c" })).Text, Is.EqualTo("quoted"));
    }

    [Test]
    public async Task HeaderWhoseOptionalVariablesAreAllMissing_IsLeftOut()
    {
        var catalog = LlmCatalog.FromJson("""
            { "name": "o", "c": { "path": "/c", "headers": [ { "name": "Authorization", "value": "Bearer ${apikey?}" } ], "params": [ { "name": "key", "value": "k-${key?}" } ] } }
            """);
        var handler = RecordingHandler.Json("{}");
        await catalog.CreateClient(new LlmProfile { Adapter = "o", BaseUrl = "https://h" }, handler.Mock).CallAsync(new LlmRequest { Call = "c" });
        Assert.That(handler.Last.Headers.ContainsKey("Authorization"), Is.False, "no half-filled \"Bearer \" header");
        Assert.That(handler.Last.Url.Query, Is.Empty);
        await catalog.CreateClient(new LlmProfile { Adapter = "o", BaseUrl = "https://h", Variables = { ["apikey"] = "sk-1" } }, handler.Mock).CallAsync(new LlmRequest { Call = "c" });
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer sk-1"));
    }

    [Test]
    public async Task ErrorMessagePathOnAnObject_IsNotAnInBandError()
    {
        // Cohere's successful response has a top-level "message" object: only text counts as an error message.
        var catalog = LlmCatalog.FromJson("""{ "name": "c", "c": { "path": "/c", "resp": [ { "name": "text", "value": "message.content[0].text" } ], "error": "message" } }""");
        var ok = catalog.CreateClient(new LlmProfile { Adapter = "c", BaseUrl = "https://h" }, RecordingHandler.Json("""{"message":{"content":[{"text":"hi"}]}}""").Mock);
        Assert.That((await ok.CallAsync(new LlmRequest { Call = "c" })).Text, Is.EqualTo("hi"));
        var bad = catalog.CreateClient(new LlmProfile { Adapter = "c", BaseUrl = "https://h" }, RecordingHandler.Json("""{"message":"invalid api token"}""").Mock);
        Assert.That(Assert.ThrowsAsync<LlmHttpException>(() => bad.CallAsync(new LlmRequest { Call = "c" }))!.VendorMessage, Is.EqualTo("invalid api token"));
    }

    [Test]
    public void ErrorPathAlternatives_CoverHttpErrorsAndBlockedPrompts()
    {
        var catalog = LlmCatalog.FromJson("""
            { "name": "g", "c": { "path": "/c", "resp": [ { "name": "text", "value": "candidates[0].text" } ],
              "error": { "message": "error.message | promptFeedback.blockReason", "code": "error.status" } } }
            """);
        var blocked = catalog.CreateClient(new LlmProfile { Adapter = "g", BaseUrl = "https://h" }, RecordingHandler.Json("""{"promptFeedback":{"blockReason":"SAFETY"}}""").Mock);
        Assert.That(Assert.ThrowsAsync<LlmHttpException>(() => blocked.CallAsync(new LlmRequest { Call = "c" }))!.VendorMessage, Is.EqualTo("SAFETY"));
        var failed = catalog.CreateClient(new LlmProfile { Adapter = "g", BaseUrl = "https://h" }, RecordingHandler.Json("""{"error":{"message":"API key not valid","status":"INVALID_ARGUMENT"}}""", HttpStatusCode.BadRequest).Mock);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => failed.CallAsync(new LlmRequest { Call = "c" }))!;
        Assert.That((e.VendorMessage, e.VendorCode), Is.EqualTo(("API key not valid", "INVALID_ARGUMENT")));
    }

    [Test]
    public async Task MessagesWithImages_CarryThemInTheMessagesVariable()
    {
        var handler = RecordingHandler.Json("{}");
        var catalog = LlmCatalog.FromJson("""{ "name": "v", "chat": { "path": "/c", "input_items": ["prompt", "image"], "data": [ { "name": "messages", "value": "${messages}" } ] } }""");
        await catalog.CreateClient(new LlmProfile { Adapter = "v", BaseUrl = "https://h" }, handler.Mock).CallAsync(new LlmRequest
        {
            Messages = [LlmMessage.User("first", LlmMedia.FromUrl("https://x/1.png")), LlmMessage.Assistant("ok"), LlmMessage.User("and this?")],
            Images = [LlmMedia.FromBytes(new byte[] { 9 }, "image/jpeg")],
        });
        Json.AssertEqual("""
            { "messages": [
              { "role": "user", "content": "first", "images": [ { "url": "https://x/1.png" } ] },
              { "role": "assistant", "content": "ok" },
              { "role": "user", "content": "and this?", "images": [ { "data": "CQ==", "mime_type": "image/jpeg" } ] } ] }
            """, handler.Last.Body!);
    }

    [Test]
    public void ImagesInsideMessages_AlsoNeedAnImageCall()
    {
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(RecordingHandler.Json("{}")).CallAsync(new LlmRequest { Messages = [LlmMessage.User("see", LlmMedia.FromUrl("https://x/a.png"))] }))!;
        Assert.That(e.Message, Does.Contain("does not accept them"));
    }

    [Test]
    public void UnknownCall_ListsTheCalls()
    {
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(RecordingHandler.Json("{}")).CallAsync(new LlmRequest { Call = "chta" }))!;
        Assert.That(e.Message, Does.Contain("no call 'chta'").And.Contain("did you mean 'chat'").And.Contain("absolute, chat, inband, raw, vision"));
    }

    [Test]
    public void HeaderValueWithLineBreak_IsRejected()
    {
        var handler = RecordingHandler.Json("{}");
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(new LlmRequest
        {
            Prompt = "p",
            Variables = new Dictionary<string, object?> { ["trace"] = "a\r\nX-Injected: 1" },
        }))!;
        Assert.That(e.Message, Does.Contain("header 'X-Trace'").And.Contain("line break"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task BodyValues_CannotBreakTheJson()
    {
        var handler = RecordingHandler.Json(OkBody);
        const string Hostile = "\"}, \"model\": \"evil\", \"x\": {\"";
        await Client(handler).CallAsync(new LlmRequest { Prompt = Hostile });
        var body = JsonDocument.Parse(handler.Last.Body!).RootElement;
        Assert.That(body.GetProperty("prompt").GetString(), Is.EqualTo(Hostile));
        Assert.That(body.GetProperty("model").GetString(), Is.EqualTo("m-1"));
    }

    [Test]
    public async Task AbsolutePathTemplate_AndGetWithoutBody()
    {
        var handler = RecordingHandler.Json("{}");
        await Client(handler).CallAsync(new LlmRequest { Call = "absolute", Model = "meta/llama 3?" });
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.example.com/x/meta/llama%203%3F"), "path values are escaped per segment; '/' is kept");
        Assert.That(handler.Last.Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(handler.Last.Body, Is.Null);
    }

    [TestCase("..")]
    [TestCase("a/../../admin")]
    public void DotSegmentsInPathValues_AreRefused(string model)
    {
        var handler = RecordingHandler.Json("{}");
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(new LlmRequest { Call = "absolute", Model = model }))!;
        Assert.That(e.Message, Does.Contain("'.' or '..' segment"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task CallWithoutResp_ReturnsBodyAsText()
    {
        var handler = RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("plain 文本", Encoding.UTF8, "text/plain") });
        var response = await Client(handler).CallAsync(new LlmRequest { Call = "raw" });
        Assert.That(response.Text, Is.EqualTo("plain 文本"));
        Assert.That(response.Fields, Is.Empty);
    }

    [Test]
    public void ErrorStatus_CarriesVendorMessageAndMasksSecrets()
    {
        var handler = RecordingHandler.Json(
            $$$"""{"error":{"message":"Incorrect API key provided: {{{Secret}}}","type":"invalid_request_error","code":"invalid_api_key"}}""",
            HttpStatusCode.Unauthorized);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.StatusCode, Is.EqualTo(401));
        Assert.That(e.VendorMessage, Is.EqualTo("Incorrect API key provided: ***"));
        Assert.That(e.VendorCode, Is.EqualTo("invalid_api_key"));
        Assert.That(e.Message, Does.Contain("401").And.Contain("call 'chat'").And.Contain("Check the profile's API key"));
        Assert.That(e.ToString(), Does.Not.Contain(Secret));
        Assert.That(e.ResponseExcerpt, Does.Not.Contain(Secret));
    }

    [Test]
    public void ServerErrorEchoingTheRequest_DoesNotLeakTheKey()
    {
        var handler = RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.InternalServerError)
        {
            Content = new StringContent($"upstream failed for Authorization: Bearer {Secret} <html>", Encoding.UTF8, "text/html"),
        });
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.StatusCode, Is.EqualTo(500));
        Assert.That(e.Message, Does.Contain("Bearer ***").And.Not.Contain(Secret));
        Assert.That(e.VendorMessage, Is.Null);
    }

    [Test]
    public void RateLimit_ReportsRetryAfter()
    {
        var handler = RecordingHandler.Json("""{"error":{"message":"slow down"}}""", HttpStatusCode.TooManyRequests, r => r.Headers.Add("Retry-After", "20"));
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(e.Message, Does.Contain("slow down").And.Contain("wait 20 s"));
    }

    [Test]
    public void RetryAfterMs_IsPreferred()
    {
        var handler = RecordingHandler.Json("{}", HttpStatusCode.TooManyRequests, r =>
        {
            r.Headers.Add("retry-after-ms", "1500");
            r.Headers.Add("Retry-After", "2");
        });
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
    }

    [Test]
    public void InBandError_InA200_IsRaised()
    {
        var handler = RecordingHandler.Json("""{"reply":"","base_resp":{"status_code":1004,"status_msg":"authorization failed"}}""");
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Call = "inband" }))!;
        Assert.That(e.StatusCode, Is.EqualTo(200));
        Assert.That(e.VendorCode, Is.EqualTo("1004"));
        Assert.That(e.VendorMessage, Is.EqualTo("authorization failed"));
    }

    [Test]
    public async Task OkCode_InA200_IsSuccess()
    {
        var handler = RecordingHandler.Json("""{"reply":"fine","base_resp":{"status_code":0,"status_msg":"success"}}""");
        var response = await Client(handler).CallAsync(new LlmRequest { Call = "inband" });
        Assert.That(response.Text, Is.EqualTo("fine"));
    }

    [Test]
    public void NonJsonSuccess_WithRespItems_IsAClearError()
    {
        var handler = RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>gateway</html>", Encoding.UTF8, "text/html") });
        var e = Assert.ThrowsAsync<LlmException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.Message, Does.Contain("not JSON").And.Contain("<html>gateway</html>"));
    }

    [Test]
    public void OversizedResponse_IsAnErrorNotOutOfMemory()
    {
        var profile = Profile();
        profile.MaxResponseBytes = 1000;
        var handler = RecordingHandler.Json("{\"content\":\"" + new string('x', 5000) + "\"}");
        var e = Assert.ThrowsAsync<LlmException>(() => Client(handler, profile).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.Message, Does.Contain("MaxResponseBytes"));
    }

    [Test]
    public void NetworkFailure_IsAnLlmHttpExceptionWithStatusZero()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Throw(new HttpRequestException("Connection refused"));
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Catalog.CreateClient(Profile(), mock).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.StatusCode, Is.Zero);
        Assert.That(e.Message, Does.Contain("Could not reach").And.Contain("Connection refused").And.Contain("https://api.example.com"));
    }

    [Test]
    public void Cancellation_IsHonoured()
    {
        var arrived = new TaskCompletionSource();
        using var mock = new LambdaHandler(async (_, token) =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var cts = new CancellationTokenSource();
        var task = Catalog.CreateClient(Profile(), mock).CallAsync(new LlmRequest { Prompt = "p" }, cts.Token);
        arrived.Task.Wait(TimeSpan.FromSeconds(10));
        cts.Cancel();
        Assert.That(async () => await task, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Timeout_IsAnExceptionThatSaysTimeout()
    {
        var time = new ManualTimeProvider();
        var arrived = new TaskCompletionSource();
        using var mock = new LambdaHandler(async (_, token) =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var profile = Profile();
        profile.Timeout = TimeSpan.FromSeconds(30);
        var task = Catalog.CreateClient(profile, mock, time).CallAsync(new LlmRequest { Prompt = "p" });
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(31));
        var e = Assert.ThrowsAsync<LlmTimeoutException>(async () => await task)!;
        Assert.That(e.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(e.Message, Does.Contain("timeout of 30 s").And.Contain("profile"));
    }

    [Test]
    public void ProfileWithoutBaseUrl_SaysSo()
    {
        var profile = Profile();
        profile.BaseUrl = null;
        var e = Assert.ThrowsAsync<LlmConfigurationException>(() => Client(RecordingHandler.Json("{}"), profile).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.Message, Does.Contain("has no BaseUrl"));
    }

    [Test]
    public void ProfileToString_ShowsNoSecret()
    {
        Assert.That(Profile().ToString(), Does.Contain("apikey").And.Not.Contain(Secret));
    }
}
