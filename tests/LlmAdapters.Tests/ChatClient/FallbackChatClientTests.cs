using System.Net;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmAdapters.Tests.ChatClient;

/// <summary>A profile with Fallbacks through IChatClient: the bridge learns apitypes and metadata from the fallback client too.</summary>
public class FallbackChatClientTests
{
    private static ServiceProvider Provider(LlmProfile primary, RecordingHandler primaryHandler, LlmProfile backup, RecordingHandler backupHandler, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddLlmAdapters(o =>
            {
                primary.Fallbacks = ["backup"];
                o.Profiles["primary"] = primary;
                o.Profiles["backup"] = backup;
            })
            .AddHttpClient("primary").ConfigurePrimaryHttpMessageHandler(() => primaryHandler.Mock);
        services.AddHttpClient(LlmAdaptersBuilder.GetHttpClientName("backup")).ConfigurePrimaryHttpMessageHandler(() => backupHandler.Mock);
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task Metadata_IsThePrimaryProfiles_WithoutUserInfo()
    {
        await using var provider = Provider(
            new LlmProfile { Adapter = "openai", BaseUrl = "https://user:s3cret@openai.test/v1", Variables = { ["apikey"] = "k1", ["model"] = "gpt-4o" } },
            RecordingHandler.Json("{}"),
            new LlmProfile { Adapter = "gemini", BaseUrl = "https://gemini.test", Variables = { ["apikey"] = "k2", ["model"] = "gemini-pro" } },
            RecordingHandler.Json("{}"));

        var chat = provider.GetRequiredKeyedService<IChatClient>("primary");
        var metadata = chat.GetService<ChatClientMetadata>()!;

        Assert.That((metadata.ProviderName, metadata.ProviderUri?.AbsoluteUri, metadata.DefaultModelId), Is.EqualTo(("openai", "https://openai.test/v1", "gpt-4o")));
        Assert.That(metadata.ProviderUri!.UserInfo, Is.Empty, "the user info of a BaseUrl is a secret");
    }

    [Test]
    public async Task AsyncCallOnEveryProfile_SupportsBackgroundResponses()
    {
        var primary = RecordingHandler.Sequence(
            (HttpStatusCode.OK, """{"output":{"task_status":"PENDING","task_id":"t-7"},"request_id":"r"}"""),
            (HttpStatusCode.OK, """{"output":{"task_id":"t-7","task_status":"SUCCEEDED","results":[{"url":"https://img/7.png"}]}}"""));
        var time = new ManualTimeProvider();
        await using var provider = Provider(
            new LlmProfile { Adapter = "dashscope", BaseUrl = "https://dashscope.test", Timeout = Timeout.InfiniteTimeSpan, Variables = { ["apikey"] = "k1" } },
            primary,
            new LlmProfile { Adapter = "dashscope", BaseUrl = "https://dashscope-backup.test", Variables = { ["apikey"] = "k2" } },
            RecordingHandler.Json("{}"),
            time);
        var chat = provider.GetRequiredService<ILlmClientFactory>().CreateClient("primary").AsIChatClient("image");

        var started = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "一只猫")], new ChatOptions { AllowBackgroundResponses = true });
        Assert.That(started.ContinuationToken, Is.Not.Null, "the submit returns at once with a token");
        Assert.That(started.Messages, Is.Empty);

        var (done, _) = await PollDriver.DriveAsync(time, () => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = started.ContinuationToken }));
        Assert.That(done.ContinuationToken, Is.Null);
        Assert.That(done.Text, Is.EqualTo("https://img/7.png"));
        Assert.That(primary.Requests.Count(r => r.Method == HttpMethod.Post), Is.EqualTo(1), "one submit only");
    }

    [Test]
    public async Task ProfilesThatRunTheCallDifferently_GetPlainCalls_NotABackgroundToken()
    {
        // replicate's chat is async, openai's is a stream: a token would wait for a poll the backup never answers.
        var backup = StreamResponses.Body(StreamResponses.OpenAi(["备用", "回答"]));
        await using var provider = Provider(
            new LlmProfile { Adapter = "replicate", BaseUrl = "https://replicate.test", Retry = { MaxRetries = 0 }, Variables = { ["apikey"] = "k1", ["model"] = "meta/llama-3" } },
            RecordingHandler.Json("""{"detail":"down"}""", HttpStatusCode.ServiceUnavailable),
            new LlmProfile { Adapter = "openai", BaseUrl = "https://openai.test/v1", Variables = { ["apikey"] = "k2", ["model"] = "gpt" } },
            backup);
        var chat = provider.GetRequiredService<ILlmClientFactory>().CreateClient("primary").AsIChatClient("chat");

        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { AllowBackgroundResponses = true });

        Assert.That(response.ContinuationToken, Is.Null);
        Assert.That(response.Text, Is.EqualTo("备用回答"));
    }
}
