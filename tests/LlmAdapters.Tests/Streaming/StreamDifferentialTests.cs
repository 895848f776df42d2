#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Text;
using System.Text.Json;
using LlmAdapters.Tests.Fuzzing;
using LlmAdapters.Tests.TestSupport;
using static LlmAdapters.Tests.Fuzzing.StreamFuzzTests;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// The three ways of reading a stream call (StreamAsync, StreamUpdatesAsync, CallAsync) must give the same text for the
/// same bytes, or all raise an <see cref="LlmException"/>: one decode path, with no fast path that reads less. Every
/// framing and response shape of <see cref="StreamFuzzTests.Shapes"/>, plus text payloads and split SSE events, over
/// generated and mutated bodies; each method reads the body in its own random read sizes. Deterministic (fixed seed).
/// </summary>
[Category("Fuzzing")]
public class StreamDifferentialTests
{
    private const int Seed = 20_261_206;
    private const int CasesPerShape = 500;
    private const int LoopbackCasesPerShape = 40;

    private static readonly string[] Pieces = ["你好", "，", "世界", "！😀", "emoji 👍🏽 and \"quotes\" \\ {x} [y]", "中文🀄 end"];

    /// <summary>Mutations aimed at the places where a reader that stops early would differ from one that reads everything.</summary>
    private static readonly string[] ExactnessKinds =
    [
        "merge-events", "error-after-text", "tail-after-text", "json-body", "json-body-without-text", "html-page", "empty-body", "spaces",
    ];

    /// <summary>Shapes whose payloads are text: SSE data as text, spaces and line breaks kept.</summary>
    private static readonly Shape[] TextShapes =
    [
        new("sse-text", "sse",
            """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse" } }""",
            "text/event-stream",
            pieces => [.. pieces.Select((p, i) => ($"data: {(i % 2 == 0 ? " " + p : p + "  ")}\n\n", i % 2 == 0 ? " " + p : p + "  ")), ("data: two\ndata:  lines \n\n", "two\n lines ")],
            TextPayload: true),
        new("sse-openai-text-mix", "sse",
            """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [ { "name": "content", "value": "choices[0].delta.content" } ] } }""",
            "text/event-stream",
            pieces => [.. pieces.Select((p, i) => i % 3 == 2 ? ($"data:  {p} \n\n", " " + p + " ") : ($"data: {{\"choices\":[{{\"delta\":{{\"content\":{JsonSerializer.Serialize(p)}}}}}]}}\n\n", p))],
            TextPayload: false),

        // A call with a tool_call item (issue 16): pieces of a tool call ride along with the text and change none of it.
        new("sse-openai-with-tool-item", "sse",
            """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [ { "name": "content", "value": "choices[0].delta.content" }, { "name": "tool_calls", "value": "choices[0].delta.tool_calls", "tool_call": { "index": "index", "id": "id", "name": "function.name", "arguments": "function.arguments" } } ] } }""",
            "text/event-stream",
            pieces => [.. pieces.Select((p, i) => ($"data: {{\"choices\":[{{\"delta\":{{\"content\":{JsonSerializer.Serialize(p)},\"tool_calls\":[{{\"index\":0{(i == 0 ? ",\"id\":\"call_1\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}" : ",\"function\":{\"arguments\":\"\"}")}}}]}}}}]}}\n\n", p))],
            TextPayload: false),
    ];

    public static IEnumerable<Shape> AllShapes => Shapes.Concat(TextShapes);

    [Test]
    public Task EveryMethod_GivesTheSameText_OrAllRaise_OverGeneratedAndMutatedStreams()
        => RunCasesAsync($"differential stream decoding (seed {Seed})", Seed, CasesPerShape, (shape, body, contentType, method, random)
            => RunAsync(shape, body, contentType, method, new ChunkedStream(body, new Random(random.Next()), random.Next(ChunkedStream.Modes))));

    /// <summary>
    /// The same over a real Kestrel server on loopback, which a mock cannot show: each method gets the body in its own
    /// flushed writes (whole, per event, one byte each, random splits), so TCP reads split lines, events and characters.
    /// </summary>
    [Test]
    public async Task EveryMethod_GivesTheSameText_OrAllRaise_OverALoopbackServer()
    {
        await using var server = await LoopbackServer.StartAsync();
        await RunCasesAsync($"differential stream decoding over loopback (seed {Seed + 1})", Seed + 1, LoopbackCasesPerShape, async (shape, body, contentType, method, random) =>
        {
            var pattern = (LlmAdapters.Testing.WritePattern)random.Next(4);
            var writeSeed = random.Next();
            var path = server.Route(context => LoopbackServer.WriteAsync(context, body, pattern, contentType, writeSeed), "/chat");
            var profile = new LlmProfile { Adapter = "t", BaseUrl = server.BaseUrl + path, MaxStreamLineBytes = MaxLine };
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            return await RunAsync(shape.Catalog.CreateClient(profile, http), method);
        });
    }

    /// <summary>
    /// The same for the binary AWS event stream (stream_format aws-eventstream, through the shipped bedrock adapter):
    /// ConverseStream bodies with random text pieces, valid or mutated (a flipped byte, a cut, an exception message, an
    /// event without text, a stray message type), each method reading in its own random read sizes.
    /// </summary>
    [Test]
    public async Task EveryMethod_GivesTheSameText_OrAllRaise_OverAwsEventStreams()
    {
        const int cases = 300;
        var run = new FuzzRun($"differential aws-eventstream decoding (seed {Seed + 2})");
        var profile = BedrockProfile();
        for (var caseNumber = 0; caseNumber < cases; caseNumber++)
        {
            var random = FuzzRun.CaseRandom(Seed + 2, caseNumber);
            var (kind, body, expected) = AwsCase(random);
            var outcomes = new List<(StreamFuzzTests.Method Method, string? Text, Exception? Error)>();
            foreach (var method in Enum.GetValues<StreamFuzzTests.Method>())
            {
                using var handler = new BodyHandler(new ChunkedStream(body, new Random(random.Next()), random.Next(ChunkedStream.Modes)), "application/vnd.amazon.eventstream");
                var (text, error) = await RunAsync(LlmCatalog.BuiltIn.CreateClient(profile, handler), method);
                outcomes.Add((method, text, error));
            }

            var failure = Compare(outcomes, expected);
            if (failure is null && expected is null && kind != "cut" && outcomes.Any(o => o.Error is null))
            {
                failure = $"a {kind} body gave a text instead of an error";
            }

            var outcome = failure is not null ? "failure" : outcomes[0].Error is { } e ? e.GetType().Name : "same text";
            run.Record($"aws-eventstream {kind}", outcome, failure is null ? null : $"seed {Seed + 2}, case {caseNumber} ({kind}): {failure}{Environment.NewLine}body (base64): {Convert.ToBase64String(body)}", outcomes.FirstOrDefault(o => o.Error is not null).Error, $"case {caseNumber}");
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(cases));
    }

    /// <summary>A profile of the shipped bedrock adapter (AWS's documented example keys), never retried.</summary>
    internal static LlmProfile BedrockProfile() => new()
    {
        Adapter = "bedrock",
        BaseUrl = "https://bedrock-runtime.us-east-1.amazonaws.com",
        MaxStreamLineBytes = MaxLine,
        Retry = new LlmRetryOptions { MaxRetries = 0 },
        Variables = { ["model"] = "m", ["region"] = "us-east-1", ["aws_access_key_id"] = "AKIDEXAMPLE", ["aws_secret_access_key"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    };

    /// <summary>
    /// A Bedrock ConverseStream body with random text pieces, valid or mutated (a flipped byte, a cut, an exception
    /// message, an event without text, a stray message type); <c>expected</c> is set only for bodies that must give that text.
    /// </summary>
    internal static (string Kind, byte[] Body, string? Expected) AwsCase(Random random)
    {
        string[] kinds = ["valid", "valid", "flip", "cut", "exception", "no-text-event", "stray-type"];
        var pieces = Enumerable.Range(0, random.Next(1, 8)).Select(_ => Pieces[random.Next(Pieces.Length)]).ToList();
        var messages = new List<byte[]> { EventStreamEncoder.Event("messageStart", """{"role":"assistant"}""") };
        messages.AddRange(pieces.Select(p => EventStreamEncoder.Event("contentBlockDelta", $$$"""{"contentBlockIndex":0,"delta":{"text":{{{JsonSerializer.Serialize(p)}}}}}""")));
        messages.Add(EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}"""));
        var kind = kinds[random.Next(kinds.Length)];
        string? expected = string.Concat(pieces);
        switch (kind)
        {
            case "flip":
            {
                var message = messages[random.Next(messages.Count)];
                message[random.Next(message.Length)] ^= (byte)(1 << random.Next(8));
                expected = null;
                break;
            }

            case "exception":
                messages.Insert(random.Next(1, messages.Count + 1), EventStreamEncoder.Exception("throttlingException", """{"message":"slow down"}"""));
                expected = null;
                break;
            case "no-text-event":
                messages.Insert(random.Next(1, messages.Count + 1), EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""));
                break;
            case "stray-type":
                messages.Insert(random.Next(1, messages.Count + 1), EventStreamEncoder.Message([(":message-type", "gossip")], "{}"u8.ToArray()));
                expected = null;
                break;
        }

        var body = EventStreamEncoder.Concat([.. messages]);
        if (kind == "cut")
        {
            body = body[..random.Next(1, body.Length)];
            expected = null;
        }
        return (kind, body, expected);
    }

    /// <summary>Generates each case, runs every method over its body through <paramref name="serve"/>, and checks that they agree.</summary>
    private static async Task RunCasesAsync(string title, int seed, int casesPerShape, Func<Shape, byte[], string, StreamFuzzTests.Method, Random, Task<(string? Text, Exception? Error)>> serve)
    {
        var run = new FuzzRun(title);
        var caseNumber = 0;
        foreach (var shape in AllShapes)
        {
            for (var i = 0; i < casesPerShape; i++, caseNumber++)
            {
                var random = FuzzRun.CaseRandom(seed, caseNumber);
                var (kind, body, contentType, expected) = Generate(shape, random, caseNumber);
                var outcomes = new List<(StreamFuzzTests.Method Method, string? Text, Exception? Error)>();
                foreach (var method in Enum.GetValues<StreamFuzzTests.Method>())
                {
                    var (text, error) = await serve(shape, body, contentType, method, random);
                    outcomes.Add((method, text, error));
                }

                var failure = Compare(ToolCallsAside(shape, outcomes), expected);
                var outcome = failure is not null ? "failure" : outcomes[0].Error is { } e ? e.GetType().Name : "same text";
                run.Record($"{shape.Name} {kind}", outcome, failure is null ? null : $"seed {seed}, case {caseNumber} ({shape.Name}, {kind}, {contentType}): {failure}{Environment.NewLine}body (base64): {Convert.ToBase64String(body)}", outcomes.FirstOrDefault(o => o.Error is not null).Error, $"case {caseNumber}");
            }
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(AllShapes.Count() * casesPerShape));
    }

    /// <summary>
    /// For a call with a tool_call item: StreamAsync yields text only and reads no piece of a tool call (it must not pay
    /// for them), so where StreamUpdatesAsync and CallAsync raise about a tool call (a garbled piece, arguments cut short)
    /// StreamAsync may still give its text. Such a case is compared without StreamAsync; every other disagreement stands.
    /// </summary>
    private static List<(StreamFuzzTests.Method Method, string? Text, Exception? Error)> ToolCallsAside(StreamFuzzTests.Shape shape, List<(StreamFuzzTests.Method Method, string? Text, Exception? Error)> outcomes)
    {
        if (!shape.Definition.Contains("\"tool_call\"", StringComparison.Ordinal))
        {
            return outcomes;
        }

        var textOnly = outcomes.Single(o => o.Method == StreamFuzzTests.Method.StreamAsync);
        var readers = outcomes.Where(o => o.Method != StreamFuzzTests.Method.StreamAsync).ToList();
        var aboutToolCalls = readers.All(o => o.Error is LlmStreamException e && (e.Message.Contains("tool call", StringComparison.Ordinal) || e.Message.Contains("tool_calls", StringComparison.Ordinal) || e.Message.Contains("not text", StringComparison.Ordinal)));
        return textOnly.Error is null && aboutToolCalls ? readers : outcomes;
    }

    /// <summary>Agreement: every method gave the same text, or every method raised an LlmException; for a valid body, the text is the one generated.</summary>
    private static string? Compare(List<(StreamFuzzTests.Method Method, string? Text, Exception? Error)> outcomes, string? expected)
    {
        foreach (var (method, _, error) in outcomes)
        {
            if (error is not null and not LlmException)
            {
                return $"{method} raised {error.GetType().Name}, not an LlmException: {FuzzRun.Describe(error)}";
            }
        }

        var raised = outcomes.Where(o => o.Error is not null).ToList();
        if (raised.Count > 0 && raised.Count < outcomes.Count)
        {
            var ok = outcomes.First(o => o.Error is null);
            return $"{string.Join(", ", raised.Select(r => r.Method))} raised ({FuzzRun.Describe(raised[0].Error!)}) but {ok.Method} gave the text {JsonSerializer.Serialize(ok.Text)}";
        }

        if (raised.Count == 0)
        {
            var texts = outcomes.Select(o => o.Text).Distinct().ToList();
            if (texts.Count > 1)
            {
                return "the methods gave different texts: " + string.Join(" / ", outcomes.Select(o => $"{o.Method} {JsonSerializer.Serialize(o.Text)}"));
            }

            if (expected is not null && texts[0] != expected)
            {
                return $"a valid body gave {JsonSerializer.Serialize(texts[0])}, expected {JsonSerializer.Serialize(expected)}";
            }
        }
        else if (expected is not null && raised.Count == outcomes.Count)
        {
            return $"a valid body raised: {FuzzRun.Describe(raised[0].Error!)}";
        }

        return null;
    }

    /// <summary>A body for the case: a StreamFuzzTests mutation, or an exactness mutation; <c>expected</c> is set only for bodies that must give that text.</summary>
    internal static (string Kind, byte[] Body, string ContentType, string? Expected) Generate(Shape shape, Random random, int caseNumber)
    {
        var segments = shape.Build(Pieces);
        var full = string.Concat(segments.Select(s => s.Text));
        if (random.Next(2) == 0)
        {
            var mutated = Mutate(shape, Seed, caseNumber);
            return (mutated.Kind, mutated.Body, shape.ContentType, mutated.Kind is "valid" && shape.Format != "raw" ? full : null);
        }

        var kind = ExactnessKinds[random.Next(ExactnessKinds.Length)];
        var chunks = segments.Select(s => s.Bytes).ToList();
        var withText = Enumerable.Range(0, chunks.Count).Where(i => segments[i].Text.Length > 0).ToList();
        switch (kind)
        {
            case "merge-events" when shape.Format == "sse":
            {
                // Some vendors put several chunks in one event: their data lines with no blank line between them.
                var text = string.Concat(chunks);
                var merged = random.Next(2) == 0 ? text.Replace("\n\ndata:", "\ndata:", StringComparison.Ordinal) : MergeOnce(text, random);
                // Where every data line is a whole JSON chunk (the OpenAI and cumulative shapes), the answer is unchanged.
                return (kind, Encoding.UTF8.GetBytes(merged), shape.ContentType, shape.Name is "sse-openai" or "sse-cumulative" ? full : null);
            }

            case "error-after-text" when withText.Count > 0:
            {
                var i = withText[random.Next(withText.Count)];
                chunks[i] = InsertBeforeLastBrace(chunks[i], ",\"error\":{\"message\":\"overloaded\",\"code\":\"busy\"}");
                return (kind, Encoding.UTF8.GetBytes(string.Concat(chunks)), shape.ContentType, null);
            }

            case "tail-after-text" when withText.Count > 0:
            {
                var i = withText[random.Next(withText.Count)];
                string[] tails = [",\"x\":nul", ",\"x\":", "}}", ",\"x\":\"a\\q\"", ",,", ",\"x\":[1,}"];
                chunks[i] = InsertBeforeLastBrace(chunks[i], tails[random.Next(tails.Length)]);
                return (kind, Encoding.UTF8.GetBytes(string.Concat(chunks)), shape.ContentType, null);
            }

            case "json-body":
                // A host that ignores "stream": true and answers with one JSON document of the stream's own shape.
                return (kind, Encoding.UTF8.GetBytes("""{"choices":[{"delta":{"content":"whole"},"message":{"content":"whole"}}],"message":{"content":"whole"},"output":{"text":"whole"},"delta":{"text":"whole"},"candidates":[{"content":{"parts":[{"text":"whole"}]}}]}"""), "application/json", null);
            case "json-body-without-text":
                return (kind, Encoding.UTF8.GetBytes("""{"id":"x","object":"chat.completion","choices":[]}"""), "application/json", null);
            case "html-page":
                return (kind, Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>\n</body></html>\n"), random.Next(2) == 0 ? "text/html" : shape.ContentType, null);
            case "empty-body":
                return (kind, [], shape.ContentType, null);
            case "spaces":
            {
                // Pad every chunk's line with spaces and a tab (JSON white space): the text must not change.
                var padded = chunks.Select(c => c.Replace("data: {", "data:  \t{", StringComparison.Ordinal)).ToList();
                return (kind, Encoding.UTF8.GetBytes(string.Concat(padded)), shape.ContentType, shape.TextPayload ? null : full);
            }

            default:
                return ("valid", Encoding.UTF8.GetBytes(string.Concat(chunks)), shape.ContentType, shape.Format == "raw" ? Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(string.Concat(chunks))) : full);
        }
    }

    private static string MergeOnce(string text, Random random)
    {
        var at = text.IndexOf("\n\ndata:", random.Next(Math.Max(1, text.Length / 2)), StringComparison.Ordinal);
        return at < 0 ? text : text[..at] + text[(at + 1)..];
    }

    private static string InsertBeforeLastBrace(string chunk, string insert)
    {
        var at = chunk.LastIndexOf('}');
        return at < 0 ? chunk + insert : chunk[..at] + insert + chunk[at..];
    }

    private static async Task<(string? Text, Exception? Error)> RunAsync(Shape shape, byte[] body, string contentType, StreamFuzzTests.Method method, ChunkedStream stream)
    {
        var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", MaxStreamLineBytes = MaxLine };
        using var handler = new BodyHandler(stream, contentType);
        return await RunAsync(shape.Catalog.CreateClient(profile, handler), method);
    }

    private static async Task<(string? Text, Exception? Error)> RunAsync(ILlmClient client, StreamFuzzTests.Method method)
    {
        string? text = null;
        var error = await FuzzRun.RunBoundedAsync(async token =>
        {
            switch (method)
            {
                case StreamFuzzTests.Method.StreamAsync:
                    text = string.Concat(await StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest { Prompt = "hi" }, token)));
                    break;
                case StreamFuzzTests.Method.StreamUpdatesAsync:
                    text = string.Concat(await StreamResponses.CollectAsync(client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }, token)));
                    break;
                case StreamFuzzTests.Method.CallAsync:
                    text = (await client.CallAsync(new LlmRequest { Prompt = "hi" }, token)).Text;
                    break;
                default:
                    throw new InvalidOperationException(method.ToString());
            }
        });
        return (text, error);
    }
}
