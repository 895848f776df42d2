using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmAdapters.Benchmarks.Support;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>The wire formats of the framings benchmark, each under a path prefix of the bench server.</summary>
public enum Wire
{
    OpenAiSse,
    AnthropicSse,
    GeminiSse,
    OllamaNdjson,
    DashScopeSse,
    DashScopeCumulativeSse,
    RawText,
    AwsEventStream,
    GeminiJsonArray,
}

/// <summary>
/// The vendors' streaming endpoints on the bench server, each under its own prefix so that a vendor SDK can be pointed at
/// it by base URL: /anthropic/v1/messages, /gemini/v1beta/models/{model}:streamGenerateContent, /ollama/api/chat,
/// /dashscope/api/v1/services/aigc/text-generation/generation (parameters.incremental_output false: cumulative) and
/// /espai/v1/llm (raw text). As for OpenAI, "bench-N" as the model is N pieces; every event (line, raw piece) is its own
/// flushed write, as a vendor flushes each token. Bodies are built once per (wire, N).
/// </summary>
internal static class FramingRoutes
{
    private static readonly ConcurrentDictionary<(Wire, int), Lazy<byte[][]>> Cache = new();

    public static async Task<bool> TryHandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        Wire wire;
        string contentType;
        if (path == "/anthropic/v1/messages")
        {
            (wire, contentType) = (Wire.AnthropicSse, "text/event-stream; charset=utf-8");
        }
        else if (path.StartsWith("/gemini/v1beta/models/", StringComparison.Ordinal) && path.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
        {
            // As Gemini does: Server-Sent Events with alt=sse, else one JSON array.
            (wire, contentType) = context.Request.Query["alt"] == "sse" ? (Wire.GeminiSse, "text/event-stream") : (Wire.GeminiJsonArray, "application/json; charset=UTF-8");
        }
        else if (path == "/ollama/api/chat")
        {
            (wire, contentType) = (Wire.OllamaNdjson, "application/x-ndjson");
        }
        else if (path == "/dashscope/api/v1/services/aigc/text-generation/generation")
        {
            (wire, contentType) = (Wire.DashScopeSse, "text/event-stream;charset=UTF-8");
        }
        else if (path.StartsWith("/bedrock/model/", StringComparison.Ordinal) && path.EndsWith("/converse-stream", StringComparison.Ordinal))
        {
            (wire, contentType) = (Wire.AwsEventStream, "application/vnd.amazon.eventstream");
        }
        else if (path == "/espai/v1/llm")
        {
            (wire, contentType) = (Wire.RawText, "text/plain; charset=utf-8");
        }
        else
        {
            return false;
        }

        var (model, incremental) = await ReadRequestAsync(context);
        if (wire is Wire.GeminiSse or Wire.GeminiJsonArray)
        {
            model = path["/gemini/v1beta/models/".Length..^":streamGenerateContent".Length];
        }
        else if (wire == Wire.AwsEventStream)
        {
            model = Uri.UnescapeDataString(path["/bedrock/model/".Length..^"/converse-stream".Length]);
        }
        else if (wire == Wire.DashScopeSse && !incremental)
        {
            wire = Wire.DashScopeCumulativeSse;
        }

        var chunks = model.StartsWith("bench-", StringComparison.Ordinal) && int.TryParse(model.AsSpan("bench-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 20;
        var events = Cache.GetOrAdd((wire, chunks), key => new Lazy<byte[][]>(() => Build(key.Item1, key.Item2))).Value;
        context.Response.ContentType = contentType;
        var output = context.Response.BodyWriter;
        foreach (var e in events)
        {
            await output.WriteAsync(e, context.RequestAborted);
        }

        return true;
    }

    /// <summary>The events of a stream of <paramref name="chunks"/> pieces (<see cref="BenchServer.ExpectedText"/>) on <paramref name="wire"/>.</summary>
    public static byte[][] Build(Wire wire, int chunks)
    {
        var pieces = Bodies.Pieces(chunks);
        if (wire == Wire.AwsEventStream)
        {
            return [.. Bodies.BedrockEventStream(pieces)];
        }

        List<string> events = wire switch
        {
            Wire.OpenAiSse => Bodies.OpenAiSseEvents(pieces),
            Wire.AnthropicSse => Bodies.AnthropicSseEvents(pieces),
            Wire.GeminiSse => Bodies.GeminiSseEvents(pieces),
            Wire.GeminiJsonArray => Bodies.GeminiJsonArrayEvents(pieces),
            Wire.OllamaNdjson => Bodies.OllamaNdjsonEvents(pieces),
            Wire.DashScopeSse => Bodies.DashScopeSseEvents(pieces, cumulative: false),
            Wire.DashScopeCumulativeSse => Bodies.DashScopeSseEvents(pieces, cumulative: true),
            Wire.RawText => [.. pieces],
            Wire.AwsEventStream => throw new InvalidOperationException("binary: built above"),
            _ => throw new InvalidOperationException("unknown wire " + wire),
        };
        return [.. events.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The request's "model", and whether its parameters.incremental_output is true (DashScope).</summary>
    private static async Task<(string Model, bool Incremental)> ReadRequestAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = document.RootElement;
        var incremental = root.TryGetProperty("parameters", out var p) && p.TryGetProperty("incremental_output", out var i) && i.ValueKind == JsonValueKind.True;
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : string.Empty;
        return (model, incremental);
    }
}
