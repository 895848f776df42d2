using System.Net;
using System.Text;
using LlmAdapters.Testing;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Execution;

/// <summary>A call's <c>auth</c> token call as calls run it: the token exchange, expiry on the client's clock, refresh on a vendor code or 401 (once), single flight, failures, and secrets kept.</summary>
public class TokenAuthTests
{
    private const string ApiKey = "fakeApiKeyAbc123";
    private const string SecretKey = "fakeSecretKeyXyz789";

    private const string Adapter = """
        {
          "name": "tokened",
          "chat": {
            "path": "/chat/${model}",
            "method": "POST",
            "apitype": "sync",
            "auth": {
              "path": "/oauth/2.0/token",
              "method": "POST",
              "params": [
                { "name": "grant_type", "value": "client_credentials" },
                { "name": "client_id", "value": "${apikey}" },
                { "name": "client_secret", "value": "${secret_key}" }
              ],
              "refresh_codes": [110, 111]
            },
            "params": [ { "name": "access_token", "value": "${access_token}" } ],
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "result" } ],
            "error": { "message": "error_msg", "code": "error_code" }
          }
        }
        """;

    private static LlmProfile Profile(string baseUrl = "https://aip.example.com") => new()
    {
        Adapter = "tokened",
        BaseUrl = baseUrl,
        Variables = new(StringComparer.Ordinal) { ["apikey"] = ApiKey, ["secret_key"] = SecretKey, ["model"] = "m" },
        Retry = new LlmRetryOptions { MaxRetries = 0 },
    };

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK)
        => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static string Token(int n) => $"24.token{n}value0123456789";

    /// <summary>A fake vendor: the token endpoint gives token1, token2...; the chat answers by <paramref name="chat"/> (given the token it got).</summary>
    private sealed class FakeVendor(Func<string, int, HttpResponseMessage> chat)
    {
        public List<Uri> TokenRequests { get; } = [];

        public List<Uri> ChatRequests { get; } = [];

        public int ExpiresIn { get; set; } = 3600;

        public LambdaHandler Handler => new((request, _) =>
        {
            lock (this)
            {
                var uri = request.RequestUri!;
                if (uri.AbsolutePath == "/oauth/2.0/token")
                {
                    TokenRequests.Add(uri);
                    return Task.FromResult(Json($$"""{"access_token":"{{Token(TokenRequests.Count)}}","expires_in":{{ExpiresIn}}}"""));
                }

                ChatRequests.Add(uri);
                var token = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).TryGetValue("access_token", out var t) ? t.ToString() : "";
                return Task.FromResult(chat(token, ChatRequests.Count));
            }
        });
    }

    private static ILlmClient Client(FakeVendor vendor, TimeProvider? time = null)
        => LlmCatalog.FromJson(Adapter).CreateClient(Profile(), vendor.Handler, time);

    [Test]
    public async Task TokenExchange_SendsTheCredentials_AndTheCallUsesTheToken()
    {
        var vendor = new FakeVendor((_, _) => Json("""{"result":"ok"}"""));
        var client = Client(vendor);

        Assert.That((await client.CallAsync(new LlmRequest { Prompt = "a" })).Text, Is.EqualTo("ok"));
        Assert.That((await client.CallAsync(new LlmRequest { Prompt = "b" })).Text, Is.EqualTo("ok"));

        Assert.That(vendor.TokenRequests.Single().Query, Is.EqualTo($"?grant_type=client_credentials&client_id={ApiKey}&client_secret={SecretKey}"));
        Assert.That(vendor.ChatRequests.Select(u => u.PathAndQuery), Is.EqualTo(new[] { $"/chat/m?access_token={Token(1)}", $"/chat/m?access_token={Token(1)}" }));
    }

    [Test]
    public async Task Token_IsReusedBeforeItExpires_AndFetchedAgainAfter()
    {
        var time = new ManualTimeProvider();
        var vendor = new FakeVendor((_, _) => Json("""{"result":"ok"}""")) { ExpiresIn = 3600 };
        var client = Client(vendor, time);

        await client.CallAsync(new LlmRequest { Prompt = "p" });
        time.Advance(TimeSpan.FromMinutes(54)); // before an hour less the 5-minute margin
        await client.CallAsync(new LlmRequest { Prompt = "p" });
        Assert.That(vendor.TokenRequests, Has.Count.EqualTo(1), "before expiry the token is reused");

        time.Advance(TimeSpan.FromMinutes(2));
        await client.CallAsync(new LlmRequest { Prompt = "p" });

        Assert.That(vendor.TokenRequests, Has.Count.EqualTo(2), "after expiry a new token is fetched");
        Assert.That(vendor.ChatRequests.Last().Query, Is.EqualTo($"?access_token={Token(2)}"));
    }

    [TestCase(110)]
    [TestCase(111)]
    public async Task RefreshCode_InA200Body_GetsANewTokenAndTriesOnceMore(int code)
    {
        var vendor = new FakeVendor((token, _) => token == Token(1)
            ? Json($$"""{"error_code":{{code}},"error_msg":"Access token expired"}""")
            : Json("""{"result":"ok"}"""));

        var response = await Client(vendor).CallAsync(new LlmRequest { Prompt = "p" });

        Assert.That(response.Text, Is.EqualTo("ok"));
        Assert.That(vendor.TokenRequests, Has.Count.EqualTo(2));
        Assert.That(vendor.ChatRequests.Select(u => u.Query), Is.EqualTo(new[] { $"?access_token={Token(1)}", $"?access_token={Token(2)}" }));
    }

    [Test]
    public void RefreshCode_Again_IsTheError_NotALoop()
    {
        var vendor = new FakeVendor((_, _) => Json("""{"error_code":110,"error_msg":"Access token invalid or no longer valid"}"""));

        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(vendor).CallAsync(new LlmRequest { Prompt = "p" }));

        Assert.That(e!.VendorCode, Is.EqualTo("110"));
        Assert.That(e.VendorMessage, Is.EqualTo("Access token invalid or no longer valid"));
        Assert.That(vendor.TokenRequests, Has.Count.EqualTo(2));
        Assert.That(vendor.ChatRequests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Http401_GetsANewTokenOnce_ThenIsTheError()
    {
        var refusedOnce = new FakeVendor((_, n) => n == 1 ? Json("""{"error_code":6,"error_msg":"No permission"}""", HttpStatusCode.Unauthorized) : Json("""{"result":"ok"}"""));
        Assert.That((await Client(refusedOnce).CallAsync(new LlmRequest { Prompt = "p" })).Text, Is.EqualTo("ok"));
        Assert.That(refusedOnce.TokenRequests, Has.Count.EqualTo(2));

        var alwaysRefused = new FakeVendor((_, _) => Json("""{"error_code":6,"error_msg":"No permission"}""", HttpStatusCode.Unauthorized));
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(alwaysRefused).CallAsync(new LlmRequest { Prompt = "p" }));
        Assert.That(e!.StatusCode, Is.EqualTo(401));
        Assert.That((alwaysRefused.TokenRequests.Count, alwaysRefused.ChatRequests.Count), Is.EqualTo((2, 2)));
    }

    [Test]
    public void OtherInBandError_DoesNotRefresh()
    {
        var vendor = new FakeVendor((_, _) => Json("""{"error_code":3,"error_msg":"Unsupported openapi method"}"""));

        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(vendor).CallAsync(new LlmRequest { Prompt = "p" }));

        Assert.That(e!.VendorCode, Is.EqualTo("3"));
        Assert.That((vendor.TokenRequests.Count, vendor.ChatRequests.Count), Is.EqualTo((1, 1)));
    }

    [TestCase(HttpStatusCode.Unauthorized)]
    [TestCase(HttpStatusCode.OK)]
    public void TokenCallFailure_SaysItWasTheTokenCall_WithTheVendorsMessage_AndNoSecret(HttpStatusCode status)
    {
        var chats = 0;
        var handler = new LambdaHandler((request, _) =>
        {
            if (request.RequestUri!.AbsolutePath != "/oauth/2.0/token")
            {
                chats++;
            }

            return Task.FromResult(Json("""{"error_description":"Client authentication failed","error":"invalid_client"}""", status));
        });

        var e = Assert.ThrowsAsync<LlmHttpException>(() => LlmCatalog.FromJson(Adapter).CreateClient(Profile(), handler).CallAsync(new LlmRequest { Prompt = "p" }));

        Assert.That(chats, Is.Zero, "the call is not sent without a token");
        Assert.That(e!.Message, Does.Contain("token call (auth)").And.Contain("Client authentication failed"));
        Assert.That(e.StatusCode, Is.EqualTo((int)status));
        Assert.That(e.VendorMessage, Is.EqualTo("Client authentication failed (invalid_client)"));
        Assert.That(e.VendorCode, Is.EqualTo("invalid_client"));
        Assert.That(e.ToString(), Does.Not.Contain(SecretKey).And.Not.Contain(ApiKey));
    }

    [Test]
    public void TokenCall_AnswerWithoutToken_IsAnError()
    {
        var handler = new LambdaHandler((_, _) => Task.FromResult(Json("""{"expires_in":3600}""")));

        var e = Assert.ThrowsAsync<LlmHttpException>(() => LlmCatalog.FromJson(Adapter).CreateClient(Profile(), handler).CallAsync(new LlmRequest { Prompt = "p" }));

        Assert.That(e!.Message, Does.Contain("token call (auth)").And.Contain("without a token at 'access_token'"));
    }

    [Test]
    public async Task TokenAndSecret_AppearInNoException_LogOrToString()
    {
        // A vendor that echoes the request URL (with the token) in its error.
        var vendor = new FakeVendor((token, _) => Json($$"""{"error_code":500,"error_msg":"internal error for access_token={{token}}"}""", HttpStatusCode.InternalServerError));
        var logs = new CapturingLoggerProvider();
        using var http = new HttpClient(vendor.Handler);
        var client = LlmCatalog.FromJson(Adapter).CreateClient(Profile(), http, null, logs);

        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Prompt = "p" }));
        await Task.CompletedTask;

        var texts = new[] { e!.ToString(), e.Message, e.VendorMessage ?? "", e.ResponseExcerpt ?? "", client.ToString() ?? "" }.Concat(logs.Texts).ToList();
        Assert.That(e.VendorMessage, Does.Contain("internal error for access_token=***"));
        foreach (var secret in new[] { Token(1), SecretKey, ApiKey })
        {
            Assert.That(texts.Where(t => t.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"'{secret}' leaked");
        }
    }

    [Test]
    public async Task HundredConcurrentCalls_MakeOneTokenCall()
    {
        var tokenRequests = 0;
        var chatTokens = new System.Collections.Concurrent.ConcurrentBag<string>();
        var tokenAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackHost.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            if (context.Request.Path == "/oauth/2.0/token")
            {
                Interlocked.Increment(ref tokenRequests);
                tokenAsked.TrySetResult();
                await release.Task; // held until every call has started, so that they all wait for this one
                await context.Response.WriteAsync("""{"access_token":"24.sharedtoken0123","expires_in":2592000}""");
                return;
            }

            chatTokens.Add(context.Request.Query["access_token"].ToString());
            await context.Response.WriteAsync("""{"result":"ok"}""");
        });
        using var http = new HttpClient();
        var client = LlmCatalog.FromJson(Adapter).CreateClient(Profile(server.BaseUrl), http);

        var calls = Enumerable.Range(0, 100).Select(i => client.CallAsync(new LlmRequest { Prompt = $"p{i}" })).ToArray();
        await tokenAsked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        release.SetResult();
        var responses = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(responses.Select(r => r.Text).Distinct(), Is.EqualTo(new[] { "ok" }));
        Assert.That(tokenRequests, Is.EqualTo(1));
        Assert.That(chatTokens.Distinct(), Is.EqualTo(new[] { "24.sharedtoken0123" }));
        Assert.That(chatTokens, Has.Count.EqualTo(100));
    }

    [Test]
    public void Describe_AsksForTheCredentials_NotTheToken()
    {
        var info = LlmCatalog.FromJson(Adapter).Describe("tokened").Single(c => c.Name == "chat");
        Assert.That(info.RequiredVariables, Does.Contain("apikey").And.Contain("secret_key").And.Not.Contain("access_token"));
    }
}
