using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>What a client is told when the gateway cannot answer: never a misleading 401/429, never internals, always plain UTF-8.</summary>
public sealed class HonestErrorsTests
{
    [Test]
    public async Task EveryUpstreamKeyRejected_Gets503SayingTheUpstreamKeysAreUnusable()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-a", KeyBehaviour.Reject), ("sk-b", KeyBehaviour.Reject));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-a", "sk-b"));

        var first = Assert.ThrowsAsync<ClientResultException>(() => gateway.Chat("p").CompleteChatAsync([new UserChatMessage("hi")]));
        var second = Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (var update in gateway.Chat("p").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
                Assert.Fail($"no update expected ({update.ContentUpdate.Count} parts)");
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(first!.Status, Is.EqualTo(503));
            Assert.That(first.Message, Does.Contain("upstream_keys_unusable").And.Contain("upstream keys of model 'p'").And.Contain("2 rejected by the upstream"));
            Assert.That(first.Message, Does.Contain("not about your gateway key"));
            Assert.That(second!.Status, Is.EqualTo(503), "a stream fails the same way, before any chunk");
            Assert.That(upstream.Requests.Count, Is.EqualTo(2), "each key was tried once; rejected keys are not tried again");
        });
    }

    [Test]
    public async Task EveryUpstreamKeyRejected_FallbackProfileAnswers()
    {
        await using var broken = await FakeUpstream.StartAsync("broken", ("sk-a", KeyBehaviour.Reject));
        await using var spare = await FakeUpstream.StartAsync("spare", ("sk-spare", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", broken, "sk-a");
        foreach (var (key, value) in TestGateway.Profile("spare", spare, "sk-spare"))
        {
            settings[key] = value;
        }

        settings["LlmAdapters:Profiles:p:Fallbacks:0"] = "spare";
        await using var gateway = await TestGateway.StartAsync(settings);

        ChatCompletion answer = await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("fall back")]);
        var streamed = new StringBuilder();
        await foreach (var update in gateway.Chat("p").CompleteChatStreamingAsync([new UserChatMessage("stream")]))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(c => c.Text)));
        }

        Assert.Multiple(() =>
        {
            Assert.That(answer.Content[0].Text, Is.EqualTo(spare.AnswerTo("fall back")));
            Assert.That(answer.Model, Is.EqualTo("p"));
            Assert.That(streamed.ToString(), Is.EqualTo(spare.AnswerTo("stream")));
            Assert.That(broken.Requests.Count, Is.EqualTo(1), "the rejected key is out of rotation for the second request");
        });
    }

    [Test]
    public async Task EveryKeyResting_Gets503WithRetryAfter_NotTheUpstreams429()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-a", KeyBehaviour.RateLimit));
        upstream.RetryAfterSeconds = 20;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-a"));

        using var response = await gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"p","messages":[{"role":"user","content":"hi"}]}"""));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("upstream_keys_resting"));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("1 resting after rate limits (429)"));
            Assert.That(int.Parse(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(19, 20));
        });
    }

    [Test]
    public async Task Bodies_ArePlainUtf8_StreamChunksAndErrorsAlike()
    {
        await using var upstream = await FakeUpstream.StartAsync("上游", ("sk", KeyBehaviour.Answer));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk"));
        using var http = gateway.Http();

        using var stream = await http.PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"p","stream":true,"messages":[{"role":"user","content":"你好 ï"}]}"""));
        var streamBytes = await stream.Content.ReadAsByteArrayAsync();
        using var whole = await http.PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"p","messages":[{"role":"user","content":"你好 ï"}]}"""));
        var wholeBytes = await whole.Content.ReadAsByteArrayAsync();
        using var error = await http.PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"模型","messages":[{"role":"user","content":"x"}]}"""));
        var errorBytes = await error.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(streamBytes), Does.Contain("你好").And.Contain("ï").And.Not.Contain("\\u"));
            Assert.That(Encoding.UTF8.GetString(wholeBytes), Does.Contain(upstream.AnswerTo("你好 ï")).And.Not.Contain("\\u"));
            Assert.That(Encoding.UTF8.GetString(errorBytes), Does.Contain("'模型'").And.Not.Contain("\\u"));
            Assert.That(stream.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
            Assert.That(error.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
        });
    }

    [Test]
    public async Task Stream_TextWithEmojiQuotesAndControlCharacters_ArrivesExact_AsPlainUtf8()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk"));
        const string question = "😀👍🏽 \"quoted\" back\\slash\nline\ttab\u0001 你好 🇨🇳";
        var answer = upstream.AnswerTo(question);
        Assert.That(char.IsLowSurrogate(answer[answer.Length / 2]), Is.False, "the fake upstream splits the answer in two there");

        using var response = await gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json(
            $$"""{"model":"p","stream":true,"messages":[{"role":"user","content":{{JsonSerializer.Serialize(question)}}}]}"""));
        var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var text = new StringBuilder();
        foreach (var e in events[..^1])
        {
            using var chunk = JsonDocument.Parse(e["data: ".Length..]);
            var choices = chunk.RootElement.GetProperty("choices");
            if (choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out var content))
            {
                text.Append(content.GetString());
                Assert.That(content.GetRawText(), Is.EqualTo(GatewayJsonTests.MinimalJson(content.GetString()!)), "UTF-8 as is (emoji too), only what JSON must escape escaped");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(text.ToString(), Is.EqualTo(answer));
            Assert.That(events[^1], Is.EqualTo("data: [DONE]"));
            Assert.That(body, Does.Contain("😀👍🏽").And.Contain("🇨🇳"), "emoji as UTF-8, not \\u escapes");
        });
    }

    [Test]
    public async Task UpstreamFailure_DoesNotExposeDefinitionFilesOrLines()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Fail));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk"));

        using var response = await gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"p","messages":[{"role":"user","content":"x"}]}"""));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), body);
            Assert.That(json.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("500"));
            Assert.That(body, Does.Not.Contain(".json").And.Not.Contain("line "));
        });
    }

    [TestCase("LlmAdapter:Profiles:kimi:Adapter", "LlmAdapter")]
    [TestCase("LlmAdapters:Profile:kimi:Adapter", "LlmAdapters:Profile")]
    public void NoProfile_RefusesToStart_NamingTheMissingSection(string typo, string lookalike)
    {
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => GatewayApp.BuildAsync(["--urls=http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [typo] = "openai" });
        }));

        Assert.That(e!.Message, Does.Contain("'LlmAdapters:Profiles' is missing or empty").And.Contain(lookalike).And.Contain("--demo"));
    }

    [Test]
    public async Task NoProfile_InExplicitDemoMode_ServesTheDemoUpstream()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Demo"] = "true" });

        ChatCompletion answer = await gateway.Chat(GatewayApp.DemoProfile).CompleteChatAsync([new UserChatMessage("demo")]);

        Assert.That(answer.Content[0].Text, Is.EqualTo(DemoServer.AnswerTo("demo")));
    }

    [Test]
    public async Task DemoMode_WithProfiles_NeverServesTheDemo()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:Demo"] = "true";
        await using var gateway = await TestGateway.StartAsync(settings);

        var e = Assert.ThrowsAsync<ClientResultException>(() => gateway.Chat(GatewayApp.DemoProfile).CompleteChatAsync([new UserChatMessage("demo")]));

        Assert.That(e!.Status, Is.EqualTo(404));
    }

    [Test]
    public void UnreachableRedis_RefusesToStart_NamingTheSetting()
    {
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => GatewayApp.BuildAsync(["--urls=http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LlmAdapters:Profiles:p:Adapter"] = "openai",
                ["LlmAdapters:Profiles:p:BaseUrl"] = "http://127.0.0.1:9/v1",
                ["LlmAdapters:Profiles:p:Variables:model"] = "m",
                ["LlmAdapters:Profiles:p:Variables:apikey"] = "k",
                ["Gateway:Redis:Configuration"] = "127.0.0.1:9,connectTimeout=2000",
            });
        }));

        Assert.That(e!.Message, Does.Contain("Gateway:Redis:Configuration"));
    }

    [Test]
    public async Task RejectedRequests_AreCountedByReason()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:ApiKeys:0"] = "client";
        await using var gateway = await TestGateway.StartAsync(settings);
        using var wrongKey = gateway.Http("wrong");
        using var client = gateway.Http("client");

        (await wrongKey.PostAsync("v1/chat/completions", TestGateway.Json("{}"))).Dispose();
        (await client.PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"nope","messages":[{"role":"user","content":"x"}]}"""))).Dispose();
        (await client.PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"p",""" ))).Dispose();
        using var stats = JsonDocument.Parse(await gateway.Http().GetStringAsync("stats"));

        var rejected = stats.RootElement.GetProperty("rejected");
        Assert.Multiple(() =>
        {
            Assert.That(stats.RootElement.GetProperty("totals").GetProperty("rejected").GetInt64(), Is.EqualTo(3));
            Assert.That(stats.RootElement.GetProperty("totals").GetProperty("requests").GetInt64(), Is.Zero, "none reached a model");
            Assert.That(rejected.GetProperty("unauthorized").GetInt64(), Is.EqualTo(1));
            Assert.That(rejected.GetProperty("unknown_model").GetInt64(), Is.EqualTo(1));
            Assert.That(rejected.GetProperty("bad_request").GetInt64(), Is.EqualTo(1));
        });
    }
}
