using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Micro;

/// <summary>
/// One stream body, parsed from memory (no network) by the hand-written baseline and by LlmAdapters. Both send one
/// request through an HttpClient whose handler answers with the body from a new MemoryStream, and both return the
/// number of characters of text they yielded (each piece is a string, as a consumer gets it).
/// </summary>
[MemoryDiagnoser]
public abstract class StreamParsingBenchmark
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly List<LlmMessage> Messages = BenchDefinitions.Conversation(2);

    private HttpClient _hand = null!;
    private HttpClient _library = null!;
    private ILlmClient _client = null!;
    private LlmRequest _request = null!;

    /// <summary>The whole text the stream carries.</summary>
    protected string Expected { get; private set; } = string.Empty;

    protected ILlmClient Client => _client;

    protected LlmRequest Request => _request;

    /// <summary>The stream's body.</summary>
    protected byte[] BodyBytes { get; private set; } = [];

    protected abstract int Chunks { get; }

    protected virtual int PieceBytes => 12;

    protected abstract string ContentType { get; }

    protected abstract string Body(string[] pieces);

    protected abstract LlmCatalog Catalog { get; }

    protected abstract string Adapter { get; }

    protected abstract string CallName { get; }

    protected abstract IAsyncEnumerable<string> HandParse(Stream body);

    [GlobalSetup]
    public void Setup()
    {
        var pieces = Bodies.Pieces(Chunks, PieceBytes);
        Expected = string.Concat(pieces);
        var body = Encoding.UTF8.GetBytes(Body(pieces));
        BodyBytes = body;
        _hand = new HttpClient(new CannedHandler(body, ContentType)) { BaseAddress = new Uri("http://127.0.0.1:1/v1/") };
        _library = new HttpClient(new CannedHandler(body, ContentType));
        _client = Catalog.CreateClient(new LlmProfile { Adapter = Adapter, BaseUrl = "http://127.0.0.1:1/v1", Variables = { ["apikey"] = "k", ["model"] = "m" } }, _library);
        _request = new LlmRequest { Call = CallName, Messages = Messages };

        // Both must see the same text, piece by piece, or the comparison means nothing.
        var hand = CollectAsync(HandStreamAsync()).GetAwaiter().GetResult();
        var library = CollectAsync(_client.StreamAsync(_request)).GetAwaiter().GetResult();
        Check("hand-written", hand);
        Check("LlmAdapters", library);
        Console.WriteLine($"// {Name}: {Chunks} chunks, {body.Length} bytes ({body.Length / Math.Max(1, Chunks)} bytes a chunk), {Expected.Length} chars of text; both parsers verified");
        AfterSetup();
    }

    /// <summary>More setup for a derived class, after the common one.</summary>
    protected virtual void AfterSetup()
    {
    }

    /// <summary>The benchmark's class name (BenchmarkDotNet runs a generated subclass).</summary>
    private string Name
    {
        get
        {
            var type = GetType();
            while (type.BaseType is { } parent && type.Namespace != typeof(StreamParsingBenchmark).Namespace)
            {
                type = parent;
            }

            return type.Name;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hand.Dispose();
        _library.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> HandWritten()
    {
        long chars = 0;
        await foreach (var piece in HandStreamAsync())
        {
            chars += piece.Length;
        }

        return chars;
    }

    [Benchmark]
    public async Task<long> LlmAdapters_StreamAsync()
    {
        long chars = 0;
        await foreach (var piece in _client.StreamAsync(_request))
        {
            chars += piece.Length;
        }

        return chars;
    }

    private async IAsyncEnumerable<string> HandStreamAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat") { Content = new ReadOnlyMemoryContent(Support.HandWritten.OpenAiRequestBody("m", Messages, stream: true)) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        using var response = await _hand.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync();
        await using (body)
        {
            await foreach (var piece in HandParse(body))
            {
                yield return piece;
            }
        }
    }

    private void Check(string who, string text)
    {
        if (!string.Equals(text, Expected, StringComparison.Ordinal))
        {
            var at = 0;
            while (at < Math.Min(text.Length, Expected.Length) && text[at] == Expected[at])
            {
                at++;
            }

            throw new InvalidOperationException($"{Name}: the {who} parser produced {text.Length} chars, expected {Expected.Length}; they differ from char {at}.");
        }
    }

    protected static async Task<string> CollectAsync(IAsyncEnumerable<string> pieces)
    {
        var sb = new StringBuilder();
        await foreach (var piece in pieces)
        {
            sb.Append(piece);
        }

        return sb.ToString();
    }
}

/// <summary>OpenAI SSE through the shipped openai adapter's <c>chat</c> call: 20,000 chunks of about 290 bytes (OpenAI's envelope and about 12 bytes of text).</summary>
public class OpenAiSse : StreamParsingBenchmark
{
    protected override int Chunks => 20_000;

    protected override string ContentType => "text/event-stream";

    protected override string Body(string[] pieces) => Bodies.OpenAiSse(pieces);

    protected override LlmCatalog Catalog => LlmCatalog.BuiltIn;

    protected override string Adapter => "openai";

    protected override string CallName => "chat";

    protected override IAsyncEnumerable<string> HandParse(Stream body) => Support.HandWritten.OpenAiSseAsync(body);

    private static readonly LlmCatalog ContentOnly = LlmCatalog.FromJson(
        """
        { "name": "openai_content_only", "chat": { "path": "/chat/completions", "apitype": "stream", "stream_format": "sse", "stream_done": "[DONE]",
          "headers": [ { "name": "Authorization", "value": "Bearer ${apikey}" }, { "name": "Accept", "value": "text/event-stream" } ],
          "data": [ { "name": "model", "value": "${model}" }, { "name": "messages", "value": "${messages}" }, { "name": "stream", "value": true } ],
          "resp": [ { "name": "content", "value": "choices[0].delta.content" } ] } }
        """,
        "openai_content_only.json");

    private ILlmClient _contentOnly = null!;

    protected override void AfterSetup()
    {
        _contentOnly = ContentOnly.CreateClient(new LlmProfile { Adapter = "openai_content_only", BaseUrl = "http://127.0.0.1:1/v1", Variables = { ["apikey"] = "k", ["model"] = "m" } }, new HttpClient(new CannedHandler(BodyBytes, "text/event-stream")));
        var text = CollectAsync(_contentOnly.StreamAsync(Request)).GetAwaiter().GetResult();
        if (!string.Equals(text, Expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("OpenAiSse: the content-only definition produced other text.");
        }
    }

    /// <summary>
    /// The same stream through an inline copy of the openai <c>chat</c> call that maps only <c>content</c> (the shipped
    /// one maps six items: content, reasoning, finish_reason, usage, model, id): what the other five cost per chunk.
    /// </summary>
    [Benchmark]
    public async Task<long> LlmAdapters_StreamAsync_content_only()
    {
        long chars = 0;
        await foreach (var piece in _contentOnly.StreamAsync(Request))
        {
            chars += piece.Length;
        }

        return chars;
    }

    /// <summary>The same stream as update objects (text plus every mapped field of each chunk), for comparison.</summary>
    [Benchmark]
    public async Task<long> LlmAdapters_StreamUpdatesAsync()
    {
        long chars = 0;
        await foreach (var update in Client.StreamUpdatesAsync(Request))
        {
            chars += update.Text.Length;
        }

        return chars;
    }
}

/// <summary>Ollama /api/chat NDJSON with an inline definition (default "lines" format): 20,000 lines.</summary>
public class OllamaNdjson : StreamParsingBenchmark
{
    private static readonly LlmCatalog BenchCatalog = LlmCatalog.FromJson(BenchDefinitions.Bench, "bench.json");

    protected override int Chunks => 20_000;

    protected override string ContentType => "application/x-ndjson";

    protected override string Body(string[] pieces) => Bodies.OllamaNdjson(pieces);

    protected override LlmCatalog Catalog => BenchCatalog;

    protected override string Adapter => "bench";

    protected override string CallName => "ollama";

    protected override IAsyncEnumerable<string> HandParse(Stream body) => Support.HandWritten.OllamaNdjsonAsync(body);
}

/// <summary>Anthropic Messages SSE with event: lines, inline definition ("stream_format": "sse", content = delta.text): 20,000 deltas.</summary>
public class AnthropicSse : StreamParsingBenchmark
{
    private static readonly LlmCatalog BenchCatalog = LlmCatalog.FromJson(BenchDefinitions.Bench, "bench.json");

    protected override int Chunks => 20_000;

    protected override string ContentType => "text/event-stream";

    protected override string Body(string[] pieces) => Bodies.AnthropicSse(pieces);

    protected override LlmCatalog Catalog => BenchCatalog;

    protected override string Adapter => "bench";

    protected override string CallName => "anthropic";

    protected override IAsyncEnumerable<string> HandParse(Stream body) => Support.HandWritten.AnthropicSseAsync(body);
}

/// <summary>
/// DashScope cumulative SSE ("stream_mode": "cumulative"): every event repeats all text so far, so the body grows with the
/// square of the length; 2,000 events of about 8 bytes of new text each (about 16 MB in all).
/// </summary>
public class DashScopeCumulativeSse : StreamParsingBenchmark
{
    private static readonly LlmCatalog BenchCatalog = LlmCatalog.FromJson(BenchDefinitions.Bench, "bench.json");

    protected override int Chunks => 2_000;

    protected override int PieceBytes => 8;

    protected override string ContentType => "text/event-stream";

    protected override string Body(string[] pieces) => Bodies.CumulativeSse(pieces);

    protected override LlmCatalog Catalog => BenchCatalog;

    protected override string Adapter => "bench";

    protected override string CallName => "cumulative";

    protected override IAsyncEnumerable<string> HandParse(Stream body) => Support.HandWritten.CumulativeSseAsync(body);
}
