using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmAdapters.Benchmarks.Support;
using LlmAdapters.Templates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>
/// An OpenAI-compatible chat completions endpoint on Kestrel, 127.0.0.1, a free port. POST /v1/chat/completions with
/// "stream": true answers SSE: a role chunk, N content chunks, a finish chunk, a usage chunk and <c>data: [DONE]</c>;
/// with "stream": false one JSON completion. N comes from the model name: "bench-20000". "bench-flat-1000000" streams
/// a million small chunks generated in blocks, for the flat-memory check. Bodies are built once per N and cached, so the
/// server does no per-chunk work beyond writing bytes.
/// </summary>
/// <remarks>
/// The loopback benchmark runs it in a child process ("serve"), so that the client's allocation counts
/// (GC.GetTotalAllocatedBytes is per process) do not include the server's. The child exits when its stdin closes.
/// </remarks>
public static class BenchServer
{
    public const string SyncAnswer = "你好！这是一个非流式的回答 🙂 with \"quotes\" and a newline\nthat ends here.";
    public const string FlatPiece = "你好😀";
    public const int FlatBlock = 1_000;

    private static readonly byte[] SyncBody = Encoding.UTF8.GetBytes(Bodies.OpenAiCompletion(SyncAnswer));
    private static readonly ConcurrentDictionary<int, Lazy<StreamBody>> Streams = new();
    private static readonly Lazy<(byte[] Head, byte[] Block, byte[] Tail)> Flat = new(BuildFlat);

    /// <summary>The whole text of a stream of <paramref name="chunks"/> content chunks.</summary>
    public static string ExpectedText(int chunks) => string.Concat(Bodies.Pieces(chunks));

    public static async Task<int> ServeAsync(string[] args)
    {
        var batch = 1;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--batch")
            {
                batch = Math.Max(1, int.Parse(args[i + 1], CultureInfo.InvariantCulture));
            }
        }

        await using var app = await StartAsync(batch);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Console.WriteLine("LISTENING " + address);
        Console.Out.Flush();

        // Live as long as the parent: it closes our stdin when it is done (or dies).
        await Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        });
        await app.StopAsync();
        return 0;
    }

    private static async Task<WebApplication> StartAsync(int batch)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MinResponseDataRate = null; // 64 slow readers on 2 cores must not be cut off
        });
        var app = builder.Build();
        app.Run(context => HandleAsync(context, batch));
        await app.StartAsync();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, int batch)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (context.Request.Path.Value != "/v1/chat/completions")
        {
            if (!await FramingRoutes.TryHandleAsync(context))
            {
                context.Response.StatusCode = 404;
            }

            return;
        }

        var (model, stream) = await ReadRequestAsync(context.Request);
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = SyncBody.Length;
            await context.Response.Body.WriteAsync(SyncBody, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var output = context.Response.BodyWriter;
        if (model.StartsWith("bench-flat-", StringComparison.Ordinal))
        {
            var total = int.Parse(model.AsSpan("bench-flat-".Length), CultureInfo.InvariantCulture);
            var (head, block, tail) = Flat.Value;
            await output.WriteAsync(head, context.RequestAborted);
            for (var sent = 0; sent < total; sent += FlatBlock)
            {
                await output.WriteAsync(block, context.RequestAborted);
            }

            await output.WriteAsync(tail, context.RequestAborted);
            return;
        }

        // "bench-sync" streamed is the sync answer in one content chunk (a gateway that streams from its upstream for a
        // sync request gets the same text as a sync request forwarded as is).
        var chunks = model == "bench-sync" ? SyncAsStream : model.StartsWith("bench-", StringComparison.Ordinal) && int.TryParse(model.AsSpan("bench-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 20;
        var body = Streams.GetOrAdd(chunks, c => new Lazy<StreamBody>(() => StreamBody.Build(c))).Value;

        // The role chunk and the first content chunk go out at once (time to first chunk); then one write, each
        // flushed, per `batch` events, as a vendor flushes each token.
        var ends = body.EventEnds;
        var start = 0;
        var next = Math.Min(1, ends.Length - 1);
        while (true)
        {
            var end = ends[next];
            await output.WriteAsync(body.Bytes.AsMemory(start, end - start), context.RequestAborted);
            if (next == ends.Length - 1)
            {
                break;
            }

            start = end;
            next = Math.Min(next + batch, ends.Length - 1);
        }
    }

    private static async Task<(string Model, bool Stream)> ReadRequestAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                var parsed = Parse(result.Buffer);
                reader.AdvanceTo(result.Buffer.End);
                return parsed;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static (string Model, bool Stream) Parse(ReadOnlySequence<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        string model = string.Empty;
        var stream = false;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = reader.GetString() ?? string.Empty;
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                stream = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (model, stream);
    }

    private static (byte[] Head, byte[] Block, byte[] Tail) BuildFlat()
    {
        var events = Bodies.OpenAiSseEvents([FlatPiece]);
        var block = new StringBuilder();
        for (var i = 0; i < FlatBlock; i++)
        {
            block.Append(events[1]);
        }

        return (Encoding.UTF8.GetBytes(events[0]), Encoding.UTF8.GetBytes(block.ToString()), Encoding.UTF8.GetBytes(string.Concat(events.Skip(2))));
    }

    private const int SyncAsStream = -1;

    private sealed record StreamBody(byte[] Bytes, int[] EventEnds)
    {
        public static StreamBody Build(int chunks)
        {
            var events = Bodies.OpenAiSseEvents(chunks == SyncAsStream ? [SyncAnswer] : Bodies.Pieces(chunks));
            var bytes = Encoding.UTF8.GetBytes(string.Concat(events));
            var ends = new int[events.Count];
            var at = 0;
            for (var i = 0; i < events.Count; i++)
            {
                at += Encoding.UTF8.GetByteCount(events[i]);
                ends[i] = at;
            }

            return new StreamBody(bytes, ends);
        }
    }
}
