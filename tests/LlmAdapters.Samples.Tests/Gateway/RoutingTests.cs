using System.ClientModel;
using System.Net;
using System.Text.Json;
using NUnit.Framework;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Path prefix, model aliases, pass-through model names, GET /v1/models/{id}.</summary>
public sealed class RoutingTests
{
    [Test]
    public async Task PathPrefix_PutsEveryRouteUnderIt()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:PathPrefix"] = "custom_path";
        await using var gateway = await TestGateway.StartAsync(settings);
        using var root = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(gateway.Root + "/"), Timeout = TimeSpan.FromSeconds(30) };

        ChatCompletion answer = await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("prefixed")]);
        using var outside = await root.GetAsync("v1/models");
        using var page = await root.GetAsync("custom_path/");
        using var bare = await root.GetAsync("custom_path");
        using var stats = await root.GetAsync("custom_path/stats");

        Assert.Multiple(async () =>
        {
            Assert.That(gateway.BaseUrl, Does.EndWith("/custom_path"));
            Assert.That(answer.Content[0].Text, Is.EqualTo(upstream.AnswerTo("prefixed")));
            Assert.That(outside.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("\"/custom_path/v1\""), "the page shows the API's address with the prefix");
            Assert.That(bare.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(bare.Headers.Location?.ToString(), Is.EqualTo("/custom_path/"));
            Assert.That(stats.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Alias_MapsToAProfileAndUpstreamModel_AndIsListed()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", upstream, "sk");
        settings["Gateway:Models:gpt-4o:Profile"] = "p";
        settings["Gateway:Models:gpt-4o:Model"] = "upstream-large";
        settings["Gateway:Models:fast"] = "p";
        await using var gateway = await TestGateway.StartAsync(settings);
        var models = new OpenAIModelClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1") });

        ChatCompletion aliased = await gateway.Chat("gpt-4o").CompleteChatAsync([new UserChatMessage("alias")]);
        ChatCompletion plain = await gateway.Chat("fast").CompleteChatAsync([new UserChatMessage("plain")]);
        OpenAIModelCollection list = await models.GetModelsAsync();
        OpenAIModel one = await models.GetModelAsync("gpt-4o");
        var missing = Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("nope"));
        var sent = upstream.Requests.Select(r => r.Body.GetProperty("model").GetString()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(aliased.Model, Is.EqualTo("gpt-4o"), "the client sees the name it asked for");
            Assert.That(sent, Is.EqualTo(new[] { "upstream-large", "fake-model" }), "the alias's upstream model, else the profile's");
            Assert.That(plain.Content[0].Text, Is.EqualTo(upstream.AnswerTo("plain")));
            Assert.That(list.Select(m => m.Id), Is.EqualTo(new[] { "fast", "gpt-4o", "p" }));
            Assert.That(one.Id, Is.EqualTo("gpt-4o"));
            Assert.That(one.OwnedBy, Is.EqualTo("openai"));
            Assert.That(missing!.Status, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task PassThroughModel_GoesToTheUpstreamOnlyWhenAllowed()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", upstream, "sk");
        await using var closed = await TestGateway.StartAsync(settings);
        settings["Gateway:PassThroughModels"] = "true";
        await using var open = await TestGateway.StartAsync(settings);

        var refused = Assert.ThrowsAsync<ClientResultException>(() => closed.Chat("p/any-upstream-model").CompleteChatAsync([new UserChatMessage("x")]));
        ChatCompletion passed = await open.Chat("p/any-upstream-model").CompleteChatAsync([new UserChatMessage("x")]);
        using var model = await open.Http().GetAsync("v1/models/p/any-upstream-model");

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Status, Is.EqualTo(404));
            Assert.That(passed.Model, Is.EqualTo("p/any-upstream-model"));
            Assert.That(upstream.Requests.Single().Body.GetProperty("model").GetString(), Is.EqualTo("any-upstream-model"));
            Assert.That(model.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }
}
