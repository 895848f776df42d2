#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>
/// Feeds valid, truncated and corrupted bodies to the stream readers of every framing (lines, sse, raw, json-array) with
/// several response shapes, delivered in random read sizes, through StreamAsync, StreamUpdatesAsync and CallAsync. The
/// only allowed outcomes are the right text, an <see cref="LlmStreamException"/>, or (for a body that holds no chunk at
/// all) an <see cref="LlmHttpException"/> that says what arrived. Deterministic: fixed seeds, a bounded
/// number of cases, each case bounded in time; a failure names its seed, case and the body in base64.
/// </summary>
[Category("Fuzzing")]
public class StreamFuzzTests
{
    public const int Seed = 20_240_603;
    public const int RawSeed = 20_240_604;
    public const int CasesPerShape = 400;
    public const int RawCases = 600;
    public const int MaxLine = 4096;

    private static readonly string[] Pieces = ["你好", "，", "世界", "！😀", "emoji 👍🏽 and \"quotes\" \\ {x} [y]", "中文🀄 end"];

    /// <summary>
    /// Library bugs this fuzzing found, each reproduced by an ignored test in <see cref="StreamFuzzBugs"/>: their cases are
    /// counted as "known bug (...)" instead of failing the run. When a bug is fixed, delete its id here and the Ignore.
    /// </summary>
    internal static readonly HashSet<string> KnownBugs = new(StringComparer.Ordinal);

    internal const string InvalidUtf8Bug = "invalid UTF-8 or an unpaired surrogate escape in a JSON string of a chunk leaks InvalidOperationException";

    private static readonly string[] Kinds =
    [
        "valid", "valid-line-endings", "truncate-at-chunk", "truncate", "flip-bytes", "insert-bytes", "delete-span",
        "duplicate-chunk", "swap-chunks", "garbage", "oversize-chunk", "unbalanced", "empty", "several", "surrogate-escape",
    ];

    /// <summary>A framing and response shape: its definition and how its body is written, chunk by chunk, with each chunk's text.</summary>
    public sealed record Shape(string Name, string Format, string Definition, string ContentType, Func<IReadOnlyList<string>, List<(string Bytes, string Text)>> Build, bool TextPayload)
    {
        public LlmCatalog Catalog { get; } = LlmCatalog.FromJson(Definition, "fuzz-stream.json");

        public override string ToString() => Name;
    }

    private static string Def(string keys, string? resp = null)
        => $$"""{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", {{keys}}{{(resp is null ? string.Empty : ", \"resp\": " + resp)}} } }""";

    /// <summary>A JSON string with the text's characters as UTF-8 (not \u escapes), so that reads split them.</summary>
    internal static string J(string text) => JsonSerializer.Serialize(text, Relaxed);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string OpenAiChunk(string piece) => $$"""{"id":"c1","choices":[{"index":0,"delta":{"content":{{J(piece)}}},"finish_reason":null}]}""";

    public static readonly Shape[] Shapes =
    [
        new("sse-openai", "sse",
            Def("\"stream_format\": \"sse\", \"stream_done\": \"[DONE]\", \"error\": { \"message\": \"error.message\", \"code\": \"error.code\" }",
                """[ { "name": "content", "value": "choices[0].delta.content" }, { "name": "reasoning", "value": "choices[0].delta.reasoning_content", "join": true }, { "name": "finish_reason", "value": "choices[0].finish_reason" }, { "name": "usage", "value": "usage | choices[0].usage" }, { "name": "id", "value": "id" } ]"""),
            "text/event-stream",
            pieces => [
                (": keep-alive\n\n", ""),
                ("data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"想一想🤔\"}}]}\n\n", ""),
                .. pieces.Select(p => ($"data: {OpenAiChunk(p)}\n\n", p)),
                ("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n", ""),
                ("data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}\n\n", ""),
                ("data: [DONE]\n\n", ""),
            ],
            TextPayload: false),
        new("sse-events", "sse",
            Def("\"stream_format\": \"sse\", \"chunk_filter\": { \"name\": \"@event\", \"op\": \"==\", \"value\": \"ping\" }",
                """[ { "name": "content", "value": "delta.text" }, { "name": "finish_reason", "value": "delta.stop_reason" }, { "name": "output_tokens", "value": "usage.output_tokens" }, { "name": "event", "value": "@event" } ]"""),
            "text/event-stream",
            pieces => [
                ("event: message_start\ndata: {\"type\":\"message_start\"}\n\n", ""),
                ("event: ping\ndata: {\"type\":\"ping\",\"delta\":{\"text\":\"filtered out\"}}\n\n", ""),
                .. pieces.Select((p, i) => (i % 2 == 0
                    ? $"event: content_block_delta\nid: {i}\ndata: {{\"type\":\"content_block_delta\",\ndata:  \"delta\":{{\"type\":\"text_delta\",\"text\":{J(p)}}}}}\n\n"
                    : $"event: content_block_delta\nretry: 5\ndata:{{\"type\":\"content_block_delta\",\"delta\":{{\"text\":{J(p)}}}}}\n\n", p)),
                ("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n", ""),
            ],
            TextPayload: false),
        new("sse-cumulative", "sse",
            Def("\"stream_format\": \"sse\", \"stream_mode\": \"cumulative\"", """[ { "name": "content", "value": "output.text" }, { "name": "finish_reason", "value": "output.finish_reason" } ]"""),
            "text/event-stream",
            pieces => [.. pieces.Select((p, i) => ($"id: {i}\nevent: result\ndata: {{\"output\":{{\"text\":{J(string.Concat(pieces.Take(i + 1)))},\"finish_reason\":\"null\"}}}}\n\n", p))],
            TextPayload: false),
        new("lines-ndjson", "lines",
            Def("\"stream_format\": \"lines\"", """[ { "name": "content", "value": "message.content" }, { "name": "finish_reason", "value": "done_reason" } ]"""),
            "application/x-ndjson",
            pieces => [
                .. pieces.Select(p => ($"{{\"model\":\"m\",\"message\":{{\"role\":\"assistant\",\"content\":{J(p)}}},\"done\":false}}\n", p)),
                ("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n", ""),
            ],
            TextPayload: false),
        new("lines-match", "lines",
            Def("\"chunk_match\": \"data: (.*)\", \"stream_done\": \"[DONE]\"", """[ { "name": "content", "value": "choices[0].delta.content" } ]"""),
            "text/event-stream",
            pieces => [
                ("event: message\n: ping\n\n", ""),
                .. pieces.Select(p => ($"data: {OpenAiChunk(p)}\n\n", p)),
                ("data: [DONE]\n", ""),
            ],
            TextPayload: false),
        new("lines-regex", "lines",
            Def("\"chunk_match\": \"^(?i:data):\\\\s*(.*)$\"", """[ { "name": "content", "value": "choices[-1].delta.content" }, { "name": "id", "value": "id" } ]"""),
            "text/plain",
            pieces => [.. pieces.Select((p, i) => ((i % 2 == 0 ? "DATA:   " : "data:") + OpenAiChunk(p) + "\r\nnoise line\r\n", p))],
            TextPayload: false),
        new("lines-text", "lines",
            Def("\"stream_format\": \"lines\""),
            "text/plain",
            pieces => [.. pieces.Select((p, i) => (p + (i % 2 == 0 ? "\n" : "\r\n"), p))],
            TextPayload: true),
        new("raw", "raw",
            Def("\"stream_format\": \"raw\""),
            "text/plain",
            pieces => [.. pieces.Select((p, i) => (p + (i % 3 == 0 ? "\n" : string.Empty), p + (i % 3 == 0 ? "\n" : string.Empty)))],
            TextPayload: true),
        new("json-array", "json-array",
            Def("\"stream_format\": \"json-array\"", """[ { "name": "content", "value": "candidates[0].content.parts[0].text" }, { "name": "finish_reason", "value": "candidates[0].finishReason" }, { "name": "usage", "value": "usageMetadata" } ]"""),
            "application/json",
            pieces => [
                ("[", ""),
                .. pieces.Select((p, i) => ((i == 0 ? "" : ",\r\n") + $"{{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":{J(p)}}}],\"role\":\"model\"}}}}]}}", p)),
                (",\n{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":4}}", ""),
                ("\n]", ""),
            ],
            TextPayload: false),
        new("json-array-nested", "json-array",
            Def("\"stream_format\": \"json-array\"", """[ { "name": "content", "value": "[0]" }, { "name": "n", "value": "[1].n" } ]"""),
            "application/json",
            pieces => [("[ ", ""), .. pieces.Select((p, i) => ((i == 0 ? "" : ", ") + $"[{J(p)}, {{\"n\": [{i}, [], {{}}]}}]", p)), (" ]", "")],
            TextPayload: false),
    ];

    [TestCaseSource(nameof(Shapes))]
    public async Task ValidBody_GivesTheExactText_InEveryReadSize(Shape shape)
    {
        var segments = shape.Build(Pieces);
        var body = Encoding.UTF8.GetBytes(string.Concat(segments.Select(s => s.Bytes)));
        var expected = string.Concat(segments.Select(s => s.Text));
        for (var mode = 0; mode < ChunkedStream.Modes; mode++)
        {
            foreach (var method in Enum.GetValues<Method>())
            {
                var (text, error) = await RunAsync(shape, body, method, new ChunkedStream(body, new Random(mode), mode));
                Assert.That(error, Is.Null, $"{shape.Name}, {method}, read mode {mode}");
                Assert.That(text, Is.EqualTo(expected), $"{shape.Name}, {method}, read mode {mode}");
            }
        }
    }

    [Test]
    public async Task MutatedBodies_OfEveryFraming_GiveTheTextOrAnLlmStreamException()
    {
        var run = new FuzzRun($"stream bodies (seed {Seed}, MaxStreamLineBytes {MaxLine})");
        var caseNumber = 0;
        foreach (var shape in Shapes)
        {
            for (var i = 0; i < CasesPerShape; i++, caseNumber++)
            {
                var c = Mutate(shape, Seed, caseNumber);
                var method = (Method)(caseNumber % 3);
                var (text, error) = await RunAsync(shape, c.Body, method, new ChunkedStream(c.Body, FuzzRun.CaseRandom(Seed, caseNumber), caseNumber % ChunkedStream.Modes));
                var (outcome, failure) = Check(shape, c, text, error);
                run.Record($"{shape.Format} {c.Kind}", outcome, failure is null ? null : $"seed {Seed}, case {caseNumber} ({shape.Name}, {c.Kind}, {method}, read mode {caseNumber % ChunkedStream.Modes}): {failure}{Environment.NewLine}body (base64): {Convert.ToBase64String(c.Body)}", error, $"case {caseNumber} {shape.Name} {c.Kind}");
            }
        }

        run.Report();
        run.AssertNoFailures();
    }

    [Test]
    public async Task RandomBytes_ThroughTheRawReader_AreDecodedExactly_WhateverTheReadSizes()
    {
        var shape = Shapes.Single(s => s.Name == "raw");
        var run = new FuzzRun($"raw reader, random bytes (seed {RawSeed})");
        for (var caseNumber = 0; caseNumber < RawCases; caseNumber++)
        {
            var random = FuzzRun.CaseRandom(RawSeed, caseNumber);
            var (kind, body) = RandomBody(random);
            var method = (Method)(caseNumber % 3);
            var (text, error) = await RunAsync(shape, body, method, new ChunkedStream(body, random, 1 + (caseNumber % (ChunkedStream.Modes - 1))));
            var expected = Encoding.UTF8.GetString(body);
            string? failure = body.Length == 0
                ? error is LlmHttpException { Message: var m } && m.Contains("empty body", StringComparison.Ordinal) ? null : $"an empty body gave {error?.GetType().Name ?? J(text)}, not an LlmHttpException saying so"
                : error is not null
                ? $"{error.GetType().Name} from the raw reader: {FuzzRun.Describe(error)}"
                : text != expected ? $"the text differs from Encoding.UTF8.GetString of the body: got {J(text)}, expected {J(expected)}" : null;
            run.Record(kind, failure is null ? "exact text" : "failure", failure is null ? null : $"seed {RawSeed}, case {caseNumber} ({kind}, {method}): {failure}{Environment.NewLine}body (base64): {Convert.ToBase64String(body)}", error, $"case {caseNumber} {kind}");
        }

        run.Report();
        run.AssertNoFailures();
    }

    internal enum Method
    {
        StreamAsync,
        StreamUpdatesAsync,
        CallAsync,
    }

    /// <summary>A mutated body; <see cref="Exact"/> is the text it must give (or the ReceivedText with which it must fail), <see cref="Prefix"/> a text it may only give a prefix of.</summary>
    internal sealed record FuzzCase(string Kind, byte[] Body, string? Exact, string? Prefix, bool MustFail);

    /// <summary>One mutated body for a shape; the same (seed, case) always gives the same body.</summary>
    internal static FuzzCase Mutate(Shape shape, int seed, int caseNumber)
    {
        var random = FuzzRun.CaseRandom(seed, caseNumber);
        var kind = Kinds[random.Next(Kinds.Length)];
        var segments = shape.Build(Pieces);
        var full = string.Concat(segments.Select(s => s.Text));
        byte[] Bytes(IEnumerable<(string Bytes, string Text)> s) => Encoding.UTF8.GetBytes(string.Concat(s.Select(x => x.Bytes)));
        var body = Bytes(segments);
        switch (kind)
        {
            case "valid":
                return new(kind, body, full, null, false);
            case "valid-line-endings":
            {
                var ending = random.Next(2) == 0 ? "\r\n" : "\r";
                var text = Encoding.UTF8.GetString(body).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", ending, StringComparison.Ordinal);
                return new(kind, Encoding.UTF8.GetBytes(text), shape.Format == "raw" ? null : full, null, false);
            }

            case "truncate-at-chunk":
            {
                var k = random.Next(segments.Count + 1);
                return new(kind, Bytes(segments.Take(k)), string.Concat(segments.Take(k).Select(s => s.Text)), null, false);
            }

            case "truncate":
                return new(kind, body[..random.Next(body.Length + 1)], null, full, false);
            case "oversize-chunk":
            {
                // One piece far longer than MaxStreamLineBytes: the stream must fail there, with the text before it received.
                var at = random.Next(Pieces.Length);
                var pieces = Pieces.ToArray();
                pieces[at] = string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? "长" : "ab😀", MaxLine));
                var bigger = shape.Build(pieces);
                var before = bigger.TakeWhile(s => s.Text != pieces[at]).Select(s => s.Text);
                return shape.Format == "raw"
                    ? new(kind, Bytes(bigger), null, null, false)
                    : new(kind, Bytes(bigger), string.Concat(before), null, true);
            }

            case "empty":
                return new(kind, random.Next(3) switch { 0 => [], 1 => "\n\n\r\n"u8.ToArray(), _ => " "u8.ToArray() }, null, null, false);
            case "several":
            {
                var bytes = body;
                for (var i = random.Next(2, 5); i > 0; i--)
                {
                    bytes = Corrupt(Kinds[random.Next(4, 10)], bytes, segments, random);
                }

                return new(kind, bytes, null, null, false);
            }

            default:
                return new(kind, Corrupt(kind, body, segments, random), null, null, false);
        }
    }

    private static readonly byte[] Nasty = [(byte)'\r', (byte)'\n', 0, 0xFF, 0xC3, 0x80, 0xED, 0xA0, 0xF0, 0x9F, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)' ', (byte)'d', (byte)'a', (byte)'t', 0xEF, 0xBB, 0xBF];

    private static byte[] Corrupt(string kind, byte[] body, List<(string Bytes, string Text)> segments, Random random)
    {
        var bytes = new List<byte>(body);
        switch (kind)
        {
            case "flip-bytes":
                for (var i = random.Next(1, 6); i > 0 && bytes.Count > 0; i--)
                {
                    bytes[random.Next(bytes.Count)] ^= (byte)random.Next(1, 256);
                }

                break;
            case "insert-bytes":
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    var run = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(3) == 0 ? (byte)random.Next(256) : Nasty[random.Next(Nasty.Length)]);
                    bytes.InsertRange(random.Next(bytes.Count + 1), run);
                }

                break;
            case "surrogate-escape":
                // An escaped half of a surrogate pair after a quote: in a name or a string value it is valid JSON that is
                // not text (a name matches nothing; a value read is an error), after a closing quote it is not JSON.
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    var quotes = Enumerable.Range(0, bytes.Count).Where(j => bytes[j] == (byte)'"').ToArray();
                    if (quotes.Length == 0)
                    {
                        break;
                    }

                    bytes.InsertRange(quotes[random.Next(quotes.Length)] + 1, Encoding.ASCII.GetBytes(random.Next(2) == 0 ? "\\ud83d" : "\\udc00"));
                }

                break;
            case "delete-span":
                if (bytes.Count > 0)
                {
                    var at = random.Next(bytes.Count);
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 40)));
                }

                break;
            case "duplicate-chunk":
            {
                var list = segments.ToList();
                var at = random.Next(list.Count);
                list.Insert(at, list[at]);
                return Encoding.UTF8.GetBytes(string.Concat(list.Select(s => s.Bytes)));
            }

            case "swap-chunks":
            {
                var list = segments.ToList();
                var a = random.Next(list.Count);
                var b = random.Next(list.Count);
                (list[a], list[b]) = (list[b], list[a]);
                return Encoding.UTF8.GetBytes(string.Concat(list.Select(s => s.Bytes)));
            }

            case "garbage":
            {
                var garbage = new byte[random.Next(0, 3000)];
                random.NextBytes(garbage);
                if (random.Next(2) == 0)
                {
                    for (var i = 0; i < garbage.Length; i++)
                    {
                        garbage[i] = random.Next(4) == 0 ? Nasty[random.Next(Nasty.Length)] : garbage[i];
                    }
                }

                return garbage;
            }

            case "unbalanced":
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    bytes.Insert(random.Next(bytes.Count + 1), "[]{}\""u8[random.Next(5)]);
                }

                break;
            default:
                throw new InvalidOperationException(kind);
        }

        return [.. bytes];
    }

    /// <summary>Checks a case's outcome against what its mutation allows.</summary>
    private static (string Outcome, string? Failure) Check(Shape shape, FuzzCase c, string text, Exception? error)
    {
        if (shape.Format == "raw")
        {
            // No framing: every byte sequence but the empty one is a valid body, and its text is its UTF-8 decoding.
            var expected = Encoding.UTF8.GetString(c.Body);
            if (c.Body.Length == 0)
            {
                return error is LlmHttpException ? ("LlmHttpException (empty body)", null) : ("failure", $"an empty raw body gave {error?.GetType().Name ?? J(text)}, not an LlmHttpException");
            }

            if (error is not null)
            {
                return ("failure", $"{error.GetType().Name} from the raw reader: {FuzzRun.Describe(error)}");
            }

            return text == expected ? ("completed", null) : ("failure", $"the raw text differs from the body's UTF-8 decoding: got {J(text)}, expected {J(expected)}");
        }

        string received;
        string outcome;
        switch (error)
        {
            case null:
                if (c.MustFail)
                {
                    return ("failure", $"the stream completed although a chunk is longer than MaxStreamLineBytes {MaxLine}; text {J(text)}");
                }

                received = text;
                outcome = "completed";
                break;
            case LlmStreamException e:
                if (e.ReceivedText != text)
                {
                    return ("failure", $"LlmStreamException.ReceivedText {J(e.ReceivedText)} is not the text the caller received {J(text)}: {e.Message}");
                }

                if (string.IsNullOrWhiteSpace(e.Message))
                {
                    return ("failure", "LlmStreamException without a message");
                }

                if (c.Kind is "valid" or "valid-line-endings")
                {
                    return ("failure", $"a valid body failed: {FuzzRun.Describe(e)}");
                }

                received = e.ReceivedText;
                outcome = "LlmStreamException";
                break;
            case LlmHttpException e:
                // A 2xx body with no chunk of the stream in it: nothing was yielded, and the message says what arrived.
                if (text.Length != 0 || e.StatusCode != 200 || !e.Message.Contains("body", StringComparison.Ordinal))
                {
                    return ("failure", $"LlmHttpException after text {J(text)} or without saying what arrived: {FuzzRun.Describe(e)}");
                }

                if (c.Kind is "valid" or "valid-line-endings")
                {
                    return ("failure", $"a valid body failed: {FuzzRun.Describe(e)}");
                }

                received = string.Empty;
                outcome = "LlmHttpException (no chunk)";
                break;
            case InvalidOperationException when KnownBugs.Contains(InvalidUtf8Bug) && (error.Message.Contains("UTF-8", StringComparison.Ordinal) || error.Message.Contains("UTF-16", StringComparison.Ordinal)):
                return ($"known bug ({InvalidUtf8Bug})", null);
            default:
                return ("failure", $"{error.GetType().Name} instead of the text or LlmStreamException: {FuzzRun.Describe(error)}");
        }

        if (c.Exact is { } exact && received != exact)
        {
            return ("failure", $"{(error is null ? "the text" : "ReceivedText")} {J(received)} should be exactly {J(exact)}{(error is null ? string.Empty : ": " + error.Message)}");
        }

        if (c.Prefix is { } prefix)
        {
            var compared = shape.TextPayload ? received.TrimEnd('\uFFFD') : received;
            if (!prefix.StartsWith(compared, StringComparison.Ordinal))
            {
                return ("failure", $"a truncated body gave {J(received)}, which is not a prefix of {J(prefix)}");
            }
        }

        return (outcome, null);
    }

    /// <summary>Runs one stream call over the body, bounded in time; returns the text the caller received and the exception, if any.</summary>
    private static async Task<(string Text, Exception? Error)> RunAsync(Shape shape, byte[] body, Method method, ChunkedStream stream)
    {
        var received = new StringBuilder();
        var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", MaxStreamLineBytes = MaxLine };
        var handler = new BodyHandler(stream, shape.ContentType);
        var client = shape.Catalog.CreateClient(profile, handler);
        var error = await FuzzRun.RunBoundedAsync(async token =>
        {
            switch (method)
            {
                case Method.StreamAsync:
                    await foreach (var piece in client.StreamAsync(new LlmRequest { Prompt = "hi" }, token))
                    {
                        received.Append(piece);
                    }

                    break;
                case Method.StreamUpdatesAsync:
                    await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }, token))
                    {
                        received.Append(update.Text);
                    }

                    break;
                default:
                    try
                    {
                        received.Append((await client.CallAsync(new LlmRequest { Prompt = "hi" }, token)).Text);
                    }
                    catch (LlmStreamException e)
                    {
                        received.Append(e.ReceivedText); // CallAsync's caller gets the text only through the exception
                        throw;
                    }

                    break;
            }
        });
        handler.Dispose();
        return (received.ToString(), error);
    }

    /// <summary>Random bodies for the raw reader: random bytes, text with invalid UTF-8 inside, multi-byte characters cut short.</summary>
    private static (string Kind, byte[] Body) RandomBody(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
            {
                var bytes = new byte[random.Next(0, 4000)];
                random.NextBytes(bytes);
                return ("random bytes", bytes);
            }

            case 1:
            {
                var bytes = new List<byte>();
                for (var i = random.Next(1, 200); i > 0; i--)
                {
                    bytes.AddRange(random.Next(4) == 0
                        ? [Nasty[random.Next(Nasty.Length)]]
                        : Encoding.UTF8.GetBytes(Pieces[random.Next(Pieces.Length)]));
                }

                return ("text with invalid UTF-8", [.. bytes]);
            }

            case 2:
            {
                var bytes = new List<byte>();
                for (var i = random.Next(1, 200); i > 0; i--)
                {
                    var c = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(random.Next(3) switch { 0 => random.Next(0x80, 0x800), 1 => random.Next(0x4E00, 0x9FFF), _ => random.Next(0x1F300, 0x1FAFF) }));
                    bytes.AddRange(random.Next(5) == 0 ? c[..random.Next(1, c.Length)] : c);
                }

                return ("characters cut short", [.. bytes]);
            }

            default:
            {
                var text = string.Concat(Enumerable.Range(0, random.Next(1, 300)).Select(_ => Pieces[random.Next(Pieces.Length)]));
                return ("valid UTF-8", Encoding.UTF8.GetBytes(text));
            }
        }
    }

    /// <summary>Answers every request with the body, read through the given stream.</summary>
    internal sealed class BodyHandler(Stream body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>A body that returns its bytes in reads of a size chosen by the mode: as much as asked, one byte, or random small sizes.</summary>
    internal sealed class ChunkedStream(byte[] bytes, Random random, int mode) : Stream
    {
        public const int Modes = 4;

        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var size = mode switch
            {
                0 => buffer.Length,
                1 => 1,
                2 => random.Next(1, 17),
                _ => random.Next(1, 600),
            };
            var n = Math.Min(Math.Min(size, buffer.Length), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
