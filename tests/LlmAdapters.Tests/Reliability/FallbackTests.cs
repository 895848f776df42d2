using System.Net;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LlmAdapters.Tests.Reliability;

public class FallbackTests
{
    private static ServiceProvider Provider(HttpStatusCode primaryStatus, string backupBody, string backupType = "text/event-stream")
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o =>
            {
                o.Profiles["primary"] = new LlmProfile
                {
                    Adapter = "openai",
                    BaseUrl = "https://openai.test/v1",
                    Variables = { ["apikey"] = "k1", ["model"] = "gpt" },
                    Retry = { MaxRetries = 0 },
                    Fallbacks = ["backup"],
                };
                o.Profiles["backup"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://deepseek.test", Variables = { ["apikey"] = "k2", ["model"] = "deepseek-chat" } };
            })
            .AddHttpClient("primary").ConfigurePrimaryHttpMessageHandler(() => RecordingHandler.Json("""{"error":{"message":"down"}}""", primaryStatus).Mock);
        services.AddHttpClient(LlmAdaptersBuilder.GetHttpClientName("backup"))
            .ConfigurePrimaryHttpMessageHandler(() => RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new System.Net.Http.StringContent(backupBody, System.Text.Encoding.UTF8, backupType) }).Mock);
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task RetryableFailure_FallsBack_AndTheResponseSaysWhoAnswered()
    {
        await using var provider = Provider(HttpStatusCode.ServiceUnavailable, StreamResponses.OpenAi(["备用", "回答"]));
        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("primary").CallAsync(new LlmRequest { Prompt = "hi" });
        Assert.That(response.Text, Is.EqualTo("备用回答"));
        Assert.That(response.Profile, Is.EqualTo("backup"));
    }

    [Test]
    public async Task SyncBodyCutByTheConnection_FallsBack()
    {
        // A 200 whose body the connection cut: incomplete, so not an answer; the backup profile answers instead.
        var services = new ServiceCollection();
        services.AddLlmAdapters(o =>
            {
                o.Profiles["primary"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://openai.test/v1", Variables = { ["apikey"] = "k1", ["model"] = "gpt" }, Retry = { MaxRetries = 0 }, Fallbacks = ["backup"] };
                o.Profiles["backup"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://deepseek.test", Variables = { ["apikey"] = "k2", ["model"] = "deepseek-chat" } };
            })
            .AddHttpClient("primary").ConfigurePrimaryHttpMessageHandler(() => RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CutStream("{\"choices\":[{\"message\":{\"content\":\"par"u8.ToArray())) }).Mock);
        services.AddHttpClient(LlmAdaptersBuilder.GetHttpClientName("backup"))
            .ConfigurePrimaryHttpMessageHandler(() => RecordingHandler.Json("""{"choices":[{"message":{"content":"backup answer"}}]}""").Mock);
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("primary").CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" });
        Assert.That(response.Text, Is.EqualTo("backup answer"));
        Assert.That(response.Profile, Is.EqualTo("backup"));
    }

    /// <summary>Gives its bytes, then fails as a reset connection does.</summary>
    private sealed class CutStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false; // no length: the reader reads on until the cut

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Position < Length ? base.ReadAsync(buffer, cancellationToken) : throw new IOException("Connection reset by peer");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Position < Length ? base.ReadAsync(buffer, offset, count, cancellationToken) : throw new IOException("Connection reset by peer");

        public override int Read(byte[] buffer, int offset, int count)
            => Position < Length ? base.Read(buffer, offset, count) : throw new IOException("Connection reset by peer");

        public override int Read(Span<byte> buffer)
            => Position < Length ? base.Read(buffer) : throw new IOException("Connection reset by peer");
    }

    [Test]
    public async Task Stream_FallsBack_BeforeItsFirstPiece()
    {
        await using var provider = Provider(HttpStatusCode.TooManyRequests, StreamResponses.OpenAi(["备用"]));
        var pieces = await StreamResponses.CollectAsync(provider.GetRequiredService<ILlmClientFactory>().CreateClient("primary").StreamAsync(new LlmRequest { Prompt = "hi" }));
        Assert.That(pieces, Is.EqualTo(new[] { "备用" }));
    }

    [Test]
    public async Task NonRetryableFailure_DoesNotFallBack()
    {
        await using var provider = Provider(HttpStatusCode.BadRequest, StreamResponses.OpenAi(["never"]));
        var e = Assert.ThrowsAsync<LlmHttpException>(() => provider.GetRequiredService<ILlmClientFactory>().CreateClient("primary").CallAsync(new LlmRequest { Prompt = "hi" }))!;
        Assert.That(e.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public async Task WithoutFallbacks_TheResponseNamesItsOwnProfile()
    {
        await using var provider = Provider(HttpStatusCode.OK, StreamResponses.OpenAi(["x"]));
        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("backup").CallAsync(new LlmRequest { Prompt = "hi" });
        Assert.That(response.Profile, Is.EqualTo("backup"));
    }
}
