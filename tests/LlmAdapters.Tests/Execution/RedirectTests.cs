using System.Collections.Concurrent;
using System.Text.Json;
using LlmAdapters.Testing;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LlmAdapters.Tests.Execution;

/// <summary>
/// Redirects against two real Kestrel servers: A (the vendor, the profile's BaseUrl) and B (127.0.0.1 on another port:
/// another origin). A key sent in a header, the query or the body must never reach B.
/// </summary>
[NonParallelizable]
public class RedirectTests
{
    private const string Key = "sk-REDIRECT-0d9e8f7a6b5c";

    private static readonly string[] Carriers = ["header", "query", "body"];

    private LoopbackHost _a = null!;
    private LoopbackHost _b = null!;
    private readonly ConcurrentQueue<string> _seenByB = new();
    private readonly ConcurrentQueue<(string Method, string PathAndQuery, string? ApiKeyHeader, string Body)> _seenByA = new();

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _b = await LoopbackHost.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _seenByB.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {string.Join(";", context.Request.Headers.Select(h => $"{h.Key}={h.Value}"))} {body}");
            await Results.Json(new { text = "from B" }).ExecuteAsync(context);
        });
        _a = await LoopbackHost.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Path.Value ?? string.Empty;
            _seenByA.Enqueue((context.Request.Method, path + context.Request.QueryString, context.Request.Headers["x-api-key"].FirstOrDefault(), body));
            var redirect = path switch
            {
                "/cross/x" => (307, _b.BaseUrl + "/x?from=a"),
                "/same/x" => (307, "/same2/x" + context.Request.QueryString),
                "/permanent/x" => (308, _a.BaseUrl + "/same2/x" + context.Request.QueryString),
                "/see/x" => (303, "/final/x"),
                "/file/x" => (302, "file:///etc/passwd"),
                "/ftp/x" => (307, "ftp://127.0.0.1/x"),
                "/garbage/x" => (307, "http://[::1"),
                "/nolocation/x" => (307, null),
                "/loop/x" => (307, "/loop/x"),
                _ => ((int, string?)?)null,
            };
            if (redirect is { } r)
            {
                context.Response.StatusCode = r.Item1;
                if (r.Item2 is not null)
                {
                    context.Response.Headers.Location = r.Item2;
                }

                return;
            }

            // The end of a same-origin redirect: says what arrived.
            var q = body.Length > 0 ? JsonDocument.Parse(body).RootElement.GetProperty("q").GetString() : null;
            await Results.Json(new { text = $"{context.Request.Method} {q ?? "no body"}" }).ExecuteAsync(context);
        });
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [SetUp]
    public void Clear()
    {
        _seenByA.Clear();
        _seenByB.Clear();
    }

    /// <summary>A provider whose profile "p" points at <paramref name="basePath"/> on A, through the named client AddLlmAdapters makes (real HttpClientHandler).</summary>
    private ServiceProvider Services(string basePath)
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o => o.AdapterPaths.Add(CarrierAdapters.WriteToTempFolder()))
            .AddProfile("p", p =>
            {
                p.Adapter = "carriers";
                p.BaseUrl = _a.BaseUrl + basePath;
                p.Variables["apikey"] = Key;
                p.Retry.MaxRetries = 0;
            });
        return services.BuildServiceProvider();
    }

    [TestCaseSource(nameof(Carriers))]
    public async Task CrossOriginRedirect_IsRefused_AndTheOtherOriginSeesNothing(string carrier)
    {
        await using var provider = Services("/cross");
        var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("p");

        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = carrier, Prompt = "hi" }));

        Assert.That(e!.StatusCode, Is.EqualTo(307));
        Assert.That(e.Message, Does.Contain(_b.BaseUrl).And.Contain("another origin"));
        Assert.That(e.Message, Does.Not.Contain("from=a"), "the target's origin is named, not its query");
        Assert.That(e.ToString(), Does.Not.Contain(Key));
        Assert.That(_seenByA, Has.Count.EqualTo(1));
        Assert.That(_seenByB, Is.Empty);
    }

    [TestCaseSource(nameof(Carriers))]
    public async Task SameOriginRedirect307_IsFollowed_WithMethodBodyAndKey(string carrier)
    {
        await using var provider = Services("/same");
        var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("p");

        var response = await client.CallAsync(new LlmRequest { Call = carrier, Prompt = "hi" });

        Assert.That(response.Text, Is.EqualTo("POST hi"));
        var hops = _seenByA.ToArray();
        Assert.That(hops.Select(h => h.PathAndQuery.Split('?')[0]), Is.EqualTo(new[] { "/same/x", "/same2/x" }));
        var second = hops[1];
        var arrived = carrier switch
        {
            "header" => second.ApiKeyHeader,
            "query" => Uri.UnescapeDataString(second.PathAndQuery),
            _ => second.Body,
        };
        Assert.That(arrived, Does.Contain(Key), "the key goes with a redirect that stays at the vendor");
    }

    [Test]
    public async Task SameOriginRedirect308ToAbsoluteUrl_IsFollowed()
    {
        await using var provider = Services("/permanent");
        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("p").CallAsync(new LlmRequest { Call = "body", Prompt = "again" });
        Assert.That(response.Text, Is.EqualTo("POST again"));
    }

    [Test]
    public async Task SeeOther_BecomesGetWithoutBody()
    {
        await using var provider = Services("/see");
        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("p").CallAsync(new LlmRequest { Call = "body", Prompt = "hi" });
        Assert.That(response.Text, Is.EqualTo("GET no body"));
        Assert.That(_seenByA.Last().Body, Is.Empty);
    }

    [TestCase("/file", "'file' URL")]
    [TestCase("/ftp", "'ftp' URL")]
    [TestCase("/garbage", "not a URL")]
    [TestCase("/nolocation", "not a URL")]
    [TestCase("/loop", "after 5 redirects")]
    public async Task UnusableRedirect_IsAnLlmHttpException(string basePath, string what)
    {
        await using var provider = Services(basePath);
        var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("p");

        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "header", Prompt = "hi" }));

        Assert.That(e!.Message, Does.Contain(what));
        Assert.That(e.StatusCode, Is.InRange(300, 399));
        Assert.That(_seenByB, Is.Empty);
    }

    [Test]
    public async Task CallerHttpClientWithoutAutoRedirect_KeepsTheKeyFromTheOtherOrigin()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var client = LlmCatalog.FromJson(CarrierAdapters.Json).CreateClient(Profile("/cross"), http);

        Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "header", Prompt = "hi" }));
        Assert.That(_seenByB, Is.Empty);
    }

    /// <summary>
    /// A caller's HttpClient whose handler follows redirects sends the request to B before LlmAdapters sees anything:
    /// the answer is refused, and the docs tell callers to turn AllowAutoRedirect off.
    /// </summary>
    [Test]
    public async Task CallerHttpClientThatAutoRedirects_AnswerFromOtherOriginIsRefused()
    {
        using var http = new HttpClient();
        var client = LlmCatalog.FromJson(CarrierAdapters.Json).CreateClient(Profile("/cross"), http);

        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "header", Prompt = "hi" }));

        Assert.That(e!.Message, Does.Contain("AllowAutoRedirect = false").And.Contain(_b.BaseUrl));
        Assert.That(_seenByB, Has.Count.EqualTo(1), "the handler, not LlmAdapters, followed the redirect");
    }

    private LlmProfile Profile(string basePath) => new()
    {
        Adapter = "carriers",
        BaseUrl = _a.BaseUrl + basePath,
        Variables = { ["apikey"] = Key },
        Retry = { MaxRetries = 0 },
    };
}
