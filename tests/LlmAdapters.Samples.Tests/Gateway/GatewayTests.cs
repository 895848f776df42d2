using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>The official OpenAI .NET SDK, as a real client, against the gateway in front of the loopback demo server.</summary>
public sealed class GatewayTests
{
    private GatewayHost _gateway = null!;

    [OneTimeSetUp]
    public async Task StartGateway() => _gateway = await GatewayHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopGateway() => await _gateway.DisposeAsync();

    private OpenAIClientOptions Options => new() { Endpoint = new Uri(_gateway.BaseUrl + "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) };

    private global::OpenAI.Chat.ChatClient Chat(string model, string key = GatewayHost.GatewayKey) => new(model, new ApiKeyCredential(key), Options);

    [Test]
    public async Task Sdk_CompleteChat_GetsTheUpstreamsAnswerAndUsage()
    {
        ChatCompletion completion = await Chat("demo").CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("你好")]);

        Assert.Multiple(() =>
        {
            Assert.That(completion.Content[0].Text, Is.EqualTo(DemoServer.AnswerTo("你好")));
            Assert.That(completion.Role, Is.EqualTo(ChatMessageRole.Assistant));
            Assert.That(completion.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(completion.Model, Is.EqualTo("demo"));
            Assert.That(completion.Usage.InputTokenCount, Is.EqualTo("你好".Length));
            Assert.That(completion.Usage.OutputTokenCount, Is.EqualTo(DemoServer.AnswerTo("你好").Length));
        });
    }

    [Test]
    public async Task Sdk_CompleteChatStreaming_GetsTheAnswerInPiecesThenUsage()
    {
        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (StreamingChatCompletionUpdate update in Chat("demo").CompleteChatStreamingAsync([new UserChatMessage("讲个笑话")]))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text));
            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(pieces), Is.EqualTo(DemoServer.AnswerTo("讲个笑话")));
            Assert.That(pieces.Count(p => p.Length > 0), Is.GreaterThan(3), "the answer should arrive in several chunks");
            Assert.That(finish, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(usage?.OutputTokenCount, Is.EqualTo(DemoServer.AnswerTo("讲个笑话").Length));
        });
    }

    [Test]
    public void Sdk_WrongGatewayKey_Gets401()
    {
        var e = Assert.ThrowsAsync<ClientResultException>(() => Chat("demo", "not-the-key").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Status, Is.EqualTo(401));
            Assert.That(e.Message, Does.Contain("invalid_api_key"));
        });
    }

    [Test]
    public void Sdk_UpstreamRejectsItsOnlyKey_Gets503SayingTheUpstreamKeysAreUnusable_NotA401()
    {
        var e = Assert.ThrowsAsync<ClientResultException>(() => Chat("broken").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Status, Is.EqualTo(503));
            Assert.That(e.Message, Does.Contain("upstream_keys_unusable").And.Contain("The upstream keys of model 'broken'"));
        });
    }

    [Test]
    public void Sdk_UpstreamRejectsItsKey_WhenStreaming_GetsTheErrorBeforeAnyChunk()
    {
        var e = Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (var update in Chat("broken").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
                Assert.Fail($"no update expected, got {update.ContentUpdate.Count} parts");
            }
        });

        Assert.That(e!.Status, Is.EqualTo(503));
    }

    [Test]
    public async Task Sdk_Models_ListsTheProfiles()
    {
        OpenAIModelCollection models = await new OpenAIModelClient(new ApiKeyCredential(GatewayHost.GatewayKey), Options).GetModelsAsync();

        Assert.That(models.Select(m => m.Id), Is.EquivalentTo(new[] { "broken", "demo" }));
    }

    [Test]
    public async Task UnknownModel_Gets404_InOpenAIsErrorFormat()
    {
        using var http = Http();
        using var response = await http.PostAsync("v1/chat/completions", Json("""{"model":"nope","messages":[{"role":"user","content":"hi"}]}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var error = body.RootElement.GetProperty("error");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("model_not_found"));
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
            Assert.That(error.GetProperty("message").GetString(), Does.Contain("'nope'"));
        });
    }

    [TestCase("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [TestCase("""{"model":"demo","messages":[]}""", "messages")]
    [TestCase("""{"model":"demo",""", null)]
    public async Task BadRequest_Gets400_InOpenAIsErrorFormat(string body, string? param)
    {
        using var http = Http();
        using var response = await http.PostAsync("v1/chat/completions", Json(body));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("param").GetString(), Is.EqualTo(param));
        });
    }

    [Test]
    public async Task Stream_IsServerSentEvents_InOpenAIsChunkFormat_EndingWithDone()
    {
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Json("""{"model":"demo","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(events, Has.All.StartWith("data: "));
            Assert.That(events[^1], Is.EqualTo("data: [DONE]"));
        });
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(chunks.Select(c => c.GetProperty("object").GetString()), Has.All.EqualTo("chat.completion.chunk"));
            Assert.That(chunks.Select(c => c.GetProperty("id").GetString()).Distinct().Count(), Is.EqualTo(1));
            Assert.That(chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString(), Is.EqualTo("assistant"));
            Assert.That(chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
            Assert.That(chunks[^1].GetProperty("choices").GetArrayLength(), Is.Zero);
            Assert.That(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(DemoServer.AnswerTo("hi").Length));
            Assert.That(string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
                .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : "")), Is.EqualTo(DemoServer.AnswerTo("hi")));
        });
    }

    [Test]
    public async Task Stream_WithoutIncludeUsage_HasNoUsageChunk()
    {
        using var http = Http();
        using var response = await http.PostAsync("v1/chat/completions", Json("""{"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(body, Does.Not.Contain("\"usage\""));
            Assert.That(body, Does.EndWith("data: [DONE]\n\n"));
        });
    }

    [Test]
    public async Task Stream_EachChunkIsFlushedAsItArrives()
    {
        // An upstream that sends one chunk and then waits: the client must see that chunk before the upstream goes on.
        await using var upstream = await GatedUpstream.StartAsync();
        var (before, rest) = await ReadGatedStreamAsync(upstream);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo("|first|"), "the role chunk's empty content, then first, before the release");
            Assert.That(rest, Does.Contain("\"second\"").And.EndWith("data: [DONE]\n\n"));
        });
    }

    [Test]
    public async Task Stream_ABurstReachesTheClientWhole_BeforeTheUpstreamGoesOn()
    {
        // 2,000 chunks in one upstream write, then a pause: the gateway writes them without a flush each (several times
        // its flush threshold), yet every one of them, in order, must be at the client while the upstream still waits.
        await using var upstream = await GatedUpstream.StartAsync(Burst);
        var (before, rest) = await ReadGatedStreamAsync(upstream);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(BurstText), "the role chunk's empty content, the burst in order, then first");
            Assert.That(rest, Does.Contain("\"second\"").And.EndWith("data: [DONE]\n\n"));
        });
    }

    [Test]
    public async Task Stream_UpstreamBreaksAfterABurst_TheClientHasEveryChunk_ThenAnErrorEvent_AndNoDone()
    {
        await using var upstream = await GatedUpstream.StartAsync(Burst, breaksAfterRelease: true);
        var (before, rest) = await ReadGatedStreamAsync(upstream);
        var events = rest.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(BurstText));
            Assert.That(events, Has.Length.EqualTo(1), rest);
            Assert.That(events[0], Does.StartWith("data: {\"error\":{"));
            Assert.That(rest, Does.Not.Contain("[DONE]"));
        });
    }

    private const int Burst = 2_000;

    private static readonly string BurstText = "|" + string.Concat(Enumerable.Range(0, Burst).Select(i => $"p{i}|")) + "first|";

    /// <summary>Streams through a gateway in front of <paramref name="upstream"/>: the contents up to "first" (each followed by '|'), then, after the release, the rest of the body (After).</summary>
    private static async Task<(string Before, string After)> ReadGatedStreamAsync(GatedUpstream upstream)
    {
        await using var gateway = await GatewayHost.StartAsync(requireKey: false, ("gated", upstream.BaseUrl));
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Json("""{"model":"gated","stream":true,"messages":[{"role":"user","content":"hi"}]}""") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var before = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line["data: ".Length..]);
                if (chunk.RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var content))
                {
                    before.Append(content.GetString()).Append('|');
                }
            }

            if (line.Contains("\"first\"", StringComparison.Ordinal))
            {
                await reader.ReadLineAsync();   // the blank line that ends the event
                break;
            }
        }

        upstream.Release();
        return (before.ToString(), await reader.ReadToEndAsync());
    }

    [Test]
    public async Task NoGatewayKey_Gets401_InOpenAIsErrorFormat()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_gateway.BaseUrl + "/") };
        using var response = await http.GetAsync("v1/models");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("invalid_api_key"));
        });
    }

    private HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = new Uri(_gateway.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.GatewayKey);
        return http;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
