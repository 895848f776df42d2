using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>
/// A reasoning model behind the gateway: its reasoning reaches the client as DeepSeek's API sends it
/// (<c>reasoning_content</c>, in stream deltas and in a whole answer's message), never dropped. The upstream replays a
/// recorded DeepSeek-R1 stream (the siliconflow chat-stream conformance fixture, source in its folder's README).
/// </summary>
public sealed class ReasoningTests
{
    private static readonly string Fixture = Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../LlmAdapters.Conformance.Tests/Fixtures/siliconflow/chat-stream/response.sse");

    [Test]
    public async Task Stream_ForwardsReasoningPieces_BeforeTheContent_InOrder()
    {
        await using var rig = await Rig.StartAsync();
        var (recorded, http) = (rig.Recorded, rig.Http);

        using var response = await http.PostAsync("v1/chat/completions", Json("""{"model":"r1","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var deltas = events.Where(e => e != "data: [DONE]")
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .ToList();

        var (reasoning, content) = Expected(recorded);
        var sentReasoning = string.Concat(deltas.Select(d => d.TryGetProperty("reasoning_content", out var r) ? r.GetString() : ""));
        var sentContent = string.Concat(deltas.Select(d => d.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : ""));
        var lastReasoning = deltas.FindLastIndex(d => d.TryGetProperty("reasoning_content", out _));
        var firstContent = deltas.FindIndex(d => d.TryGetProperty("content", out var c) && c.GetString() is { Length: > 0 });

        Assert.Multiple(() =>
        {
            Assert.That(reasoning, Is.Not.Empty, "the recording has reasoning");
            Assert.That(sentReasoning, Is.EqualTo(reasoning));
            Assert.That(sentContent, Is.EqualTo(content));
            Assert.That(lastReasoning, Is.LessThan(firstContent));
            Assert.That(events[^1], Is.EqualTo("data: [DONE]"));
        });
    }

    [Test]
    public async Task WholeAnswer_CarriesTheReasoning_InItsMessage()
    {
        await using var rig = await Rig.StartAsync();
        var (recorded, http) = (rig.Recorded, rig.Http);

        using var response = await http.PostAsync("v1/chat/completions", Json("""{"model":"r1","messages":[{"role":"user","content":"hi"}]}"""));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = json.RootElement.GetProperty("choices")[0].GetProperty("message");

        var (reasoning, content) = Expected(recorded);
        Assert.Multiple(() =>
        {
            Assert.That(message.GetProperty("content").GetString(), Is.EqualTo(content));
            Assert.That(message.GetProperty("reasoning_content").GetString(), Is.EqualTo(reasoning));
        });
    }

    /// <summary>The reasoning and the content the recorded stream carries, joined.</summary>
    private static (string Reasoning, string Content) Expected(string recorded)
    {
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        foreach (var line in recorded.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        {
            var delta = JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("delta");
            reasoning.Append(delta.TryGetProperty("reasoning_content", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : "");
            content.Append(delta.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : "");
        }

        return (reasoning.ToString(), content.ToString());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The recorded stream, an upstream replaying it, a gateway with a profile <c>r1</c> over it, and a client of the gateway.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private ReplayUpstream _upstream = null!;
        private GatewayHost _gateway = null!;

        public string Recorded { get; private set; } = "";

        public HttpClient Http { get; private set; } = null!;

        public static async Task<Rig> StartAsync()
        {
            var rig = new Rig { Recorded = await File.ReadAllTextAsync(Fixture) };
            rig._upstream = await ReplayUpstream.StartAsync(rig.Recorded);
            rig._gateway = await GatewayHost.StartAsync(requireKey: false, ("r1", rig._upstream.BaseUrl));
            rig.Http = new HttpClient { BaseAddress = new Uri(rig._gateway.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
            return rig;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _gateway.DisposeAsync();
            await _upstream.DisposeAsync();
        }
    }

    /// <summary>An upstream on 127.0.0.1 that answers every chat request with one recorded SSE body.</summary>
    private sealed class ReplayUpstream : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ReplayUpstream(WebApplication app, string body)
        {
            _app = app;
            _app.MapPost("/v1/chat/completions", async context =>
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(body);
            });
        }

        public string BaseUrl => _app.Urls.First().TrimEnd('/') + "/v1";

        public static async Task<ReplayUpstream> StartAsync(string body)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var upstream = new ReplayUpstream(builder.Build(), body);
            await upstream._app.StartAsync();
            return upstream;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
