using System.ClientModel;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Web search through a SearXNG-compatible service: /web/v1/chat/completions, and every request with "search on all".</summary>
public sealed class WebSearchTests
{
    [Test]
    public async Task WebEndpoint_SearchesFirst_AndPutsTheResultsInThePromptInsideSearchTags()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        await using var search = await FakeSearch.StartAsync();
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:Search:Url"] = search.Url;
        await using var gateway = await TestGateway.StartAsync(settings);

        ChatCompletion answer = await gateway.Chat("p", path: "/web/v1").CompleteChatAsync([new UserChatMessage("What is LlmAdapters?")]);
        await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("no search here")]);

        var prompts = upstream.Requests.Select(r => r.Body.GetProperty("messages")[0].GetProperty("content").GetString()!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(search.Queries.ToArray(), Is.EqualTo(new[] { ("What is LlmAdapters?", "json") }), "one search, for the question, in SearXNG's JSON format");
            Assert.That(prompts[0], Does.StartWith("What is LlmAdapters?\n\n<search>\n[1] LlmAdapters 网关\nhttps://example.org/llm\nThe gateway answers OpenAI clients.\n[2] Second result"));
            Assert.That(prompts[0], Does.EndWith("</search>"));
            Assert.That(prompts[1], Is.EqualTo("no search here"), "/v1 does not search unless search-on-all is set");
            Assert.That(answer.Content[0].Text, Does.StartWith(upstream.AnswerTo("What is LlmAdapters?")));
        });
    }

    [Test]
    public async Task SearchOnAllRequests_SearchesOnV1Too()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        await using var search = await FakeSearch.StartAsync();
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:Search:Url"] = search.Url;
        settings["Gateway:Search:OnAllRequests"] = "true";
        await using var gateway = await TestGateway.StartAsync(settings);

        await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("news?")]);

        Assert.Multiple(() =>
        {
            Assert.That(search.Queries.Select(q => q.Query), Is.EqualTo(new[] { "news?" }));
            Assert.That(upstream.Requests.Single().Body.GetProperty("messages")[0].GetProperty("content").GetString(), Does.Contain("<search>"));
        });
    }

    [Test]
    public async Task SearchFailure_Gets502_AndNothingIsAsked()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        await using var search = await FakeSearch.StartAsync();
        search.Fail = true;
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:Search:Url"] = search.Url;
        await using var gateway = await TestGateway.StartAsync(settings);
        settings.Remove("Gateway:Search:Url");
        await using var unconfigured = await TestGateway.StartAsync(settings);

        var failed = Assert.ThrowsAsync<ClientResultException>(() => gateway.Chat("p", path: "/web/v1").CompleteChatAsync([new UserChatMessage("x")]));
        var missing = Assert.ThrowsAsync<ClientResultException>(() => unconfigured.Chat("p", path: "/web/v1").CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Multiple(() =>
        {
            Assert.That(failed!.Status, Is.EqualTo(502));
            Assert.That(failed.Message, Does.Contain("web_search_failed").And.Contain("429"));
            Assert.That(missing!.Status, Is.EqualTo(404));
            Assert.That(missing.Message, Does.Contain("Web search is not configured"));
            Assert.That(upstream.Requests, Is.Empty);
        });
    }
}
