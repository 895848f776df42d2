using System.Net;
using System.Text.Json;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Upstream key management: GET/POST/DELETE /keys with the admin key, validated against the upstream, kept across restarts.</summary>
public sealed class UpstreamKeysTests
{
    [Test]
    public async Task Post_ValidKey_IsValidatedByTheUpstream_ListedMasked_AndUsed()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-configured-revoked", KeyBehaviour.Reject), ("sk-added-good-123456", KeyBehaviour.Answer));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-configured-revoked"));
        using var admin = gateway.Http(TestGateway.AdminKey);

        using var added = await admin.PostAsync("keys", TestGateway.Json("""{"profile":"p","key":"sk-added-good-123456"}"""));
        var addedBody = await added.Content.ReadAsStringAsync();
        var list = await admin.GetStringAsync("keys");
        ChatCompletion answer = await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("hi")]);

        using var addedJson = JsonDocument.Parse(addedBody);
        using var listJson = JsonDocument.Parse(list);
        var keys = listJson.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), addedBody);
            Assert.That(upstream.ModelCalls, Is.EqualTo(1), "the key is validated with the adapter's models call");
            Assert.That(addedJson.RootElement.GetProperty("key").GetString(), Is.EqualTo("sk-…3456"));
            Assert.That(list, Does.Not.Contain("sk-added-good-123456").And.Not.Contain("sk-configured-revoked"), "keys are only listed masked");
            Assert.That(keys.Select(k => k.GetProperty("source").GetString()), Is.EqualTo(new[] { "configuration", "added" }));
            Assert.That(answer.Content[0].Text, Is.EqualTo(upstream.AnswerTo("hi")));
            Assert.That(upstream.ChatRequestsWith("sk-added-good-123456"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Post_InvalidKey_IsRefusedWithTheVendorsReason_AndNotAdded()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-good", KeyBehaviour.Answer));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-good"));
        using var admin = gateway.Http(TestGateway.AdminKey);

        using var response = await admin.PostAsync("keys", TestGateway.Json("""{"profile":"p","key":"sk-not-a-real-key"}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var list = JsonDocument.Parse(await admin.GetStringAsync("keys"));

        var error = body.RootElement.GetProperty("error");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("invalid_upstream_key"));
            Assert.That(error.GetProperty("message").GetString(), Does.Contain("401: Incorrect API key provided"));
            Assert.That(list.RootElement.GetProperty("data").GetArrayLength(), Is.EqualTo(1), "only the configured key");
        });
    }

    [TestCase("""{"profile":"p","key":"sk-\udc00"}""")]
    [TestCase("""{"profile":"\ud800","key":"sk-fine-0000"}""")]
    public async Task Post_ABodyThatIsNotText_Gets400_AndAddsNothing(string body)
    {
        // An escaped half of a surrogate pair is valid JSON that is not text: reading it gave an empty 500.
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-good", KeyBehaviour.Answer));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-good"));
        using var admin = gateway.Http(TestGateway.AdminKey);

        using var response = await admin.PostAsync("keys", TestGateway.Json(body));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var list = JsonDocument.Parse(await admin.GetStringAsync("keys"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("not text"));
            Assert.That(list.RootElement.GetProperty("data").GetArrayLength(), Is.EqualTo(1), "only the configured key");
            Assert.That(upstream.ModelCalls, Is.Zero, "nothing was validated upstream");
        });
    }

    [Test]
    public async Task Delete_RemovesAnAddedKey_ButNotAConfiguredOne()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-configured", KeyBehaviour.Answer), ("sk-added-key-0001", KeyBehaviour.Answer));
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-configured"));
        using var admin = gateway.Http(TestGateway.AdminKey);
        using var added = JsonDocument.Parse(await (await admin.PostAsync("keys", TestGateway.Json("""{"profile":"p","key":"sk-added-key-0001"}"""))).Content.ReadAsStringAsync());
        var addedId = added.RootElement.GetProperty("id").GetString();
        using var before = JsonDocument.Parse(await admin.GetStringAsync("keys"));
        var configuredId = before.RootElement.GetProperty("data")[0].GetProperty("id").GetString();

        using var removed = await admin.DeleteAsync($"keys/{addedId}");
        using var again = await admin.DeleteAsync($"keys/{addedId}");
        using var configured = await admin.DeleteAsync($"keys/{configuredId}");
        using var after = JsonDocument.Parse(await admin.GetStringAsync("keys"));

        Assert.Multiple(() =>
        {
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(configured.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(after.RootElement.GetProperty("data").EnumerateArray().Select(k => k.GetProperty("id").GetString()), Is.EqualTo(new[] { configuredId }));
        });
    }

    [Test]
    public async Task AdminEndpoints_NeedTheAdminKey_NotAClientKey()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-good", KeyBehaviour.Answer));
        var settings = TestGateway.Profile("p", upstream, "sk-good");
        settings["Gateway:ApiKeys:0"] = "client-key";
        await using var gateway = await TestGateway.StartAsync(settings);
        settings["Gateway:AdminKey"] = null;
        await using var noAdmin = await TestGateway.StartAsync(settings);

        using var anonymous = await gateway.Http().GetAsync("keys");
        using var client = await gateway.Http("client-key").PostAsync("keys", TestGateway.Json("""{"profile":"p","key":"sk-x"}"""));
        using var disabled = await noAdmin.Http("anything").GetAsync("keys");
        using var page = new HttpRequestMessage(HttpMethod.Get, "keys");
        page.Headers.Accept.ParseAdd("text/html");
        using var html = await gateway.Http().SendAsync(page);

        Assert.Multiple(async () =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(client.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(upstream.ModelCalls, Is.Zero, "nothing reaches the upstream without the admin key");
            Assert.That(html.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(await html.Content.ReadAsStringAsync(), Does.Contain("Validate and add").And.Not.Contain("sk-good"));
        });
    }

    [Test]
    public async Task AddedKeys_SurviveARestart()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-revoked", KeyBehaviour.Reject), ("sk-added-survivor", KeyBehaviour.Answer));
        var data = Directory.CreateTempSubdirectory("gateway-restart-").FullName;
        try
        {
            await using (var first = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-revoked"), dataDirectory: data))
            {
                using var added = await first.Http(TestGateway.AdminKey).PostAsync("keys", TestGateway.Json("""{"profile":"p","key":"sk-added-survivor"}"""));
                Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            }

            await using var second = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-revoked"), dataDirectory: data);
            ChatCompletion answer = await second.Chat("p").CompleteChatAsync([new UserChatMessage("after restart")]);

            Assert.Multiple(() =>
            {
                Assert.That(answer.Content[0].Text, Is.EqualTo(upstream.AnswerTo("after restart")));
                Assert.That(upstream.ChatRequestsWith("sk-added-survivor"), Is.EqualTo(1));
                Assert.That(File.ReadAllText(Path.Combine(data, "keys.json")), Does.Contain("sk-added-survivor"));
            });
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(Path.Combine(data, "keys.json")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
