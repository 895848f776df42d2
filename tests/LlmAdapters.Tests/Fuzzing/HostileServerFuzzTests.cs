#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Globalization;
using System.Text;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>
/// Hostile servers on loopback (a raw socket server, so status lines and headers can be anything) against sync, stream and
/// async calls of the shipped openai adapter, a stream definition with a backtracking <c>chunk_match</c> regex, and an
/// async definition shaped like Replicate's. Random statuses, garbage, duplicated and oversized headers (Content-Type,
/// Content-Length lies, Retry-After junk, Transfer-Encoding junk), bodies (truncated JSON, invalid UTF-8, HTML, huge lines,
/// resets and hangs mid-body). The promise checked: only an <see cref="LlmException"/> (any subtype) ever leaves
/// CallAsync, StreamAsync and StreamUpdatesAsync (or OperationCanceledException, for the caller's own cancellation,
/// which these cases never do), and nothing hangs. Deterministic: a fixed seed, a bounded number of cases, each bounded in
/// time; a failure names its seed, case and the bytes of every response it was sent.
/// </summary>
[Category("Fuzzing")]
public class HostileServerFuzzTests
{
    public const int Seed = 20_240_605;
    public const int Cases = 300;

    /// <summary>
    /// Escapes found in the stream engine, each reproduced by an ignored test in <see cref="HostileServerFuzzBugs"/>: their
    /// outcomes are counted as "known bug (...)" instead of failing the run. When one is fixed, delete it here and the Ignore.
    /// </summary>
    internal static readonly Dictionary<string, Func<Exception, bool>> KnownBugs = new(StringComparer.Ordinal)
    {
    };

    internal enum Target
    {
        OpenAiSync,
        OpenAiStream,
        RegexStream,
        Async,
    }

    internal enum Method
    {
        CallAsync,
        StreamAsync,
        StreamUpdatesAsync,
    }

    private const string RegexDefinition = """
        { "name": "rx", "chat": { "path": "/chat", "apitype": "stream", "method": "POST",
          "chunk_match": "^(?=data: )data: ((?:[^!]|[^!][^!])+)$", "stream_done": "[DONE]",
          "data": [ { "name": "prompt", "value": "${prompt}" } ],
          "resp": [ { "name": "content", "value": "choices[0].delta.content" }, { "name": "finish_reason", "value": "choices[0].finish_reason" } ],
          "error": { "message": "error.message", "code": "error.code" } } }
        """;

    /// <summary>Shaped like adapters/replicate.json, with short intervals so that polls run in milliseconds.</summary>
    private const string AsyncDefinition = """
        { "name": "job", "chat": { "path": "/v1/predictions", "apitype": "async", "method": "POST",
          "data": [ { "name": "input", "value": { "prompt": "${prompt}" } } ],
          "resp": [ { "name": "queryid", "value": "id" }, { "name": "status", "value": "status" } ],
          "error": { "message": "detail | error", "code": "title" },
          "query_path": "/v1/predictions/${queryid}", "query_status": "status",
          "query_done": ["succeeded"], "query_failed": ["failed", "canceled"], "query_error": "error",
          "query_resp": [ { "name": "content", "value": "output" }, { "name": "input_tokens", "value": "metrics.input_token_count" } ],
          "poll_interval": 0.005, "poll_max_interval": 0.01, "poll_timeout": 2 } }
        """;

    private static readonly LlmCatalog Custom = new LlmCatalogBuilder().AddJson(RegexDefinition, "rx.json").AddJson(AsyncDefinition, "job.json").Build();

    [Test]
    public async Task HostileServers_OnlyEverRaiseLlmExceptions()
    {
        var run = new FuzzRun($"hostile servers (seed {Seed})");
        await using var server = new HostileServer();
        for (var caseNumber = 0; caseNumber < Cases; caseNumber++)
        {
            var random = FuzzRun.CaseRandom(Seed, caseNumber);
            var target = (Target)(caseNumber % 4);
            var method = (Method)random.Next(3);
            var sent = new List<HostileResponse>();
            var caseSeed = random.Next();
            server.StartCase(index =>
            {
                var response = Respond(new Random(unchecked(caseSeed + (index * 7919))), target, index);
                lock (sent)
                {
                    sent.Add(response);
                }

                return response;
            });

            var error = await FuzzRun.RunBoundedAsync(token => RunAsync(server.BaseUrl, target, method, token));
            string outcome;
            string? failure = null;
            var kind = $"{target} {method}";
            if (error is null)
            {
                outcome = "completed";
            }
            else if (error is LlmException)
            {
                outcome = error.GetType().Name;
            }
            else if (KnownBugs.FirstOrDefault(b => b.Value(error)) is { Key: { } bug })
            {
                outcome = $"known bug ({bug})";
            }
            else
            {
                outcome = "failure";
                string[] responses;
                lock (sent)
                {
                    responses = [.. sent.Select((r, i) => $"response {i}: {r.Description}, then {r.End}; bytes (base64, first 3000): {Convert.ToBase64String(r.Bytes)[..Math.Min(3000, Convert.ToBase64String(r.Bytes).Length)]}")];
                }

                failure = $"seed {Seed}, case {caseNumber} ({target}, {method}): {FuzzRun.Describe(error)}{Environment.NewLine}{string.Join(Environment.NewLine, responses)}";
            }

            run.Record(kind, outcome, failure, error, $"case {caseNumber} {kind}");
        }

        run.Report();
        run.AssertNoFailures();
    }

    private static async Task RunAsync(string baseUrl, Target target, Method method, CancellationToken cancellationToken)
    {
        var profile = new LlmProfile
        {
            Adapter = target switch { Target.OpenAiSync or Target.OpenAiStream => "openai", Target.RegexStream => "rx", _ => "job" },
            BaseUrl = baseUrl + "/v1",
            Variables = { ["apikey"] = "sk-hostile-secret", ["model"] = "m" },
            Timeout = TimeSpan.FromSeconds(3),
            StreamIdleTimeout = TimeSpan.FromSeconds(2),
            MaxStreamLineBytes = 64 * 1024,
            MaxResponseBytes = 256 * 1024,
            Retry = { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(1), MaxRetryAfter = TimeSpan.FromMilliseconds(50), UseJitter = false },
        };
        if (target == Target.Async)
        {
            profile.BaseUrl = baseUrl;
        }

        var catalog = target is Target.OpenAiSync or Target.OpenAiStream ? LlmCatalog.BuiltIn : Custom;
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        var client = catalog.CreateClient(profile, handler);
        var request = new LlmRequest { Call = target == Target.OpenAiSync ? "chat_sync" : "chat", Prompt = "你好" };
        switch (method)
        {
            case Method.CallAsync:
                var response = await client.CallAsync(request, cancellationToken);

                // What a caller reads afterwards must not throw either.
                _ = (response.Text, response.Fields.Count, response.Usage, response.FinishReason, response.GetString("content"), response.ToString());
                foreach (var (_, value) in response.Fields)
                {
                    _ = value.GetRawText();
                }

                break;
            case Method.StreamAsync:
                await foreach (var piece in client.StreamAsync(request, cancellationToken))
                {
                    _ = piece.Length;
                }

                break;
            default:
                await foreach (var update in client.StreamUpdatesAsync(request, cancellationToken))
                {
                    foreach (var (_, value) in update.Fields)
                    {
                        _ = value.GetRawText();
                    }
                }

                break;
        }
    }

    // ---- responses -------------------------------------------------------------------------------------------------

    private const string OpenAiOk = """{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"好的 😀"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";

    private const string OpenAiError = """{"error":{"message":"Rate limit reached for sk-hostile-secret","type":"requests","code":"rate_limit_exceeded"}}""";

    /// <summary>The JSON with a key that is an escaped half of a surrogate pair put first in one to three of its objects: valid JSON, a name that is not text.</summary>
    private static string SurrogateNames(string json, Random random)
    {
        var objects = Enumerable.Range(0, json.Length - 1).Where(i => json[i] == '{' && json[i + 1] == '"').ToArray();
        for (var n = random.Next(1, 4); n > 0 && objects.Length > 0; n--)
        {
            var at = objects[random.Next(objects.Length)] + 1;
            json = json[..at] + "\"" + Pick(random, "\\uD800", "\\uDC00", "\\uD83Dx") + "\":1," + json[at..];
            objects = Enumerable.Range(0, json.Length - 1).Where(i => json[i] == '{' && json[i + 1] == '"').ToArray();
        }

        return json;
    }

    private static string Chunk(string text) => $$"""data: {"id":"c1","choices":[{"index":0,"delta":{"content":{{System.Text.Json.JsonSerializer.Serialize(text)}}},"finish_reason":null}]}""" + "\n\n";

    private static readonly string OpenAiStream = Chunk("你好") + Chunk("，世界😀") + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\ndata: [DONE]\n\n";

    private static string Prediction(string status, string output = "null", string error = "null")
        => $$$"""{"id":"p1","model":"m","version":"v","input":{"prompt":"你好"},"logs":"","output":{{{output}}},"error":{{{error}}},"status":"{{{status}}}","metrics":{"input_token_count":3}}""";

    /// <summary>The response to request <paramref name="index"/> of a case.</summary>
    internal static HostileResponse Respond(Random random, Target target, int index)
    {
        // Most requests of an async call after the first few get a sane answer, so a case ends well within poll_timeout.
        if (target == Target.Async && index >= 4)
        {
            return Build(random, "200 OK", [("Content-Type", "application/json")], Encoding.UTF8.GetBytes(Prediction("succeeded", "[\"完\"]")), "late poll: succeeded", HostileEnd.Close, chunked: false, lengthKind: 0);
        }

        var status = random.Next(10) switch
        {
            < 5 => "200 OK",
            5 => Pick(random, "201 Created", "202 Accepted", "204 No Content", "206 Partial", "299 Weird"),
            6 => Pick(random, "400 Bad Request", "401 Unauthorized", "403 Forbidden", "404 Not Found", "408 Timeout", "422 Unprocessable"),
            7 => Pick(random, "429 Too Many Requests", "500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable", "504 Gateway Timeout"),
            8 => Pick(random, "100 Continue", "101 Switching Protocols", "300 Multiple Choices", "304 Not Modified", "600 Beyond", "999 Nine"),
            _ => Pick(random, "abc Garbage", "200", "2000 OK", "-1 Minus", "200 OK\u00ff\u0001", "", "20 Short"),
        };

        var bodyKind = target switch
        {
            Target.OpenAiSync => Pick(random, "ok", "ok", "error", "truncated", "invalid-utf8", "surrogate-escape", "surrogate-name", "html", "empty", "huge-line", "random", "deep", "wrong-types", "huge-numbers", "sse-instead"),
            Target.Async => index == 0
                ? Pick(random, "submit", "submit", "submit", "submit-terminal", "submit-failed", "error", "truncated", "invalid-utf8", "surrogate-name", "html", "empty", "random", "wrong-types", "no-id")
                : Pick(random, "running", "succeeded", "failed", "error", "truncated", "invalid-utf8", "surrogate-escape", "surrogate-name", "html", "empty", "random", "huge-line", "wrong-types", "huge-numbers"),
            _ => Pick(random, "stream", "stream", "stream-no-done", "stream-invalid-utf8", "stream-surrogate-name", "stream-error-event", "stream-huge-line", "stream-backtrack", "error", "html", "empty", "random", "truncated-stream", "json-instead"),
        };

        var body = Body(random, bodyKind);
        var contentType = random.Next(8) switch
        {
            0 => null,
            1 => "text/html; charset=utf-8",
            2 => "application/json; charset=\u00ff\u00fe",
            3 => ";;;",
            4 => bodyKind.StartsWith("stream", StringComparison.Ordinal) ? "application/json" : "text/event-stream",
            _ => bodyKind.StartsWith("stream", StringComparison.Ordinal) ? "text/event-stream" : "application/json",
        };

        var headers = new List<(string, string)>();
        if (contentType is not null)
        {
            headers.Add(("Content-Type", contentType));
            if (random.Next(10) == 0)
            {
                headers.Add(("Content-Type", "text/plain"));
            }
        }

        if (random.Next(4) == 0)
        {
            headers.Add((random.Next(2) == 0 ? "Retry-After" : "retry-after-ms", Pick(random, "1e30", "Infinity", "NaN", "-1", "99999999999999999999", "2147483647", "soon", "Fri, 31 Dec 9999 23:59:59 GMT", "0", "0.001", "1", "\u00ff")));
        }

        if (random.Next(8) == 0)
        {
            headers.Add(("X-Junk", random.Next(3) switch { 0 => new string('h', 100 * 1024), 1 => "a\u0001b\u007fc", _ => "\u00ff\u00fe\u00e9" }));
        }

        if (random.Next(10) == 0)
        {
            headers.Add((Pick(random, "Bad Name", "X:Colon", "\u00e9t\u00e9", ""), "v"));
        }

        if (random.Next(12) == 0)
        {
            headers.Add(("Content-Encoding", Pick(random, "gzip", "br", "deflate", "zz")));
        }

        // Content-Length: 0 correct, 1 none (close-delimited), 2 too long, 3 too short, 4 two that disagree, 5 junk; or chunked.
        var chunked = random.Next(5) == 0;
        var lengthKind = chunked ? -1 : random.Next(10) switch { < 5 => 0, 5 => 1, 6 => 2, 7 => 3, 8 => 4, _ => 5 };
        if (chunked && random.Next(3) == 0)
        {
            headers.Add(("Transfer-Encoding", Pick(random, "gzip, chunked", "chunked, chunked", "identity", "chunked;x")));
        }

        var end = random.Next(20) switch
        {
            0 => HostileEnd.Hang,
            < 4 => HostileEnd.Reset,
            _ => HostileEnd.Close,
        };

        // Cut the body short now and then: a disconnect mid-body.
        if (random.Next(8) == 0 && body.Length > 1)
        {
            body = body[..random.Next(1, body.Length)];
        }

        return Build(random, status, headers, body, $"{status}, {bodyKind}, content type {contentType ?? "none"}, length kind {lengthKind}", end, chunked, lengthKind);
    }

    private static HostileResponse Build(Random random, string status, List<(string Name, string Value)> headers, byte[] body, string description, HostileEnd end, bool chunked, int lengthKind)
    {
        var head = new StringBuilder();
        head.Append(status.Length == 0 ? string.Empty : "HTTP/1.1 ").Append(status).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        byte[] payload;
        if (chunked)
        {
            head.Append("Transfer-Encoding: chunked\r\n");
            payload = Chunked(random, body);
        }
        else
        {
            payload = body;
            switch (lengthKind)
            {
                case 0: head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n"); break;
                case 2: head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length + random.Next(1, 5000)}\r\n"); break;
                case 3: head.Append(CultureInfo.InvariantCulture, $"Content-Length: {random.Next(body.Length + 1)}\r\n"); break;
                case 4: head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\nContent-Length: {body.Length + 1}\r\n"); break;
                case 5: head.Append("Content-Length: ").Append(Pick(random, "-1", "abc", "99999999999999999999", "1e3", " ")).Append("\r\n"); break;
            }
        }

        head.Append("\r\n");
        return new HostileResponse([.. Encoding.Latin1.GetBytes(head.ToString()), .. payload], end, description);
    }

    private static byte[] Chunked(Random random, byte[] body)
    {
        var output = new List<byte>();
        var at = 0;
        while (at < body.Length)
        {
            var size = Math.Min(body.Length - at, random.Next(1, 4096));
            var sizeText = random.Next(25) == 0 ? Pick(random, "zz", "-1", "fffffffffffffffff", "") : size.ToString("x", CultureInfo.InvariantCulture);
            output.AddRange(Encoding.ASCII.GetBytes(sizeText + "\r\n"));
            output.AddRange(body.AsSpan(at, size).ToArray());
            output.AddRange("\r\n"u8.ToArray());
            at += size;
        }

        if (random.Next(6) != 0)
        {
            output.AddRange("0\r\n\r\n"u8.ToArray());
        }

        return [.. output];
    }

    private static byte[] Body(Random random, string kind)
    {
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        byte[] InvalidIn(string text)
        {
            // One invalid sequence inside a string: a lone 0xFF, a cut lead byte, an encoded surrogate, an overlong form.
            var bytes = Utf8(text);
            var quote = bytes.AsSpan().IndexOf("好"u8);
            var at = quote >= 0 ? quote : Math.Max(0, bytes.Length / 2);
            var bad = Pick<byte[]>(random, [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80]);
            return [.. bytes[..at], .. bad, .. bytes[at..]];
        }

        return kind switch
        {
            "ok" => Utf8(OpenAiOk),
            "error" => Utf8(random.Next(2) == 0 ? OpenAiError : """{"detail":"Invalid version or not permitted","title":"Invalid","status":422}"""),
            "truncated" => Utf8(OpenAiOk)[..random.Next(1, OpenAiOk.Length)],
            "invalid-utf8" => InvalidIn(random.Next(2) == 0 ? OpenAiOk : Prediction("succeeded", "[\"好\"]")),
            "surrogate-escape" => Utf8((random.Next(2) == 0 ? OpenAiOk : Prediction("succeeded", "[\"好\"]")).Replace("好", Pick(random, "\\uD800", "\\uDC00", "\\uD83D\\u0041"), StringComparison.Ordinal)),
            "surrogate-name" => Utf8(SurrogateNames(random.Next(3) switch { 0 => OpenAiOk, 1 => Prediction("succeeded", "[\"好\"]"), _ => Prediction("starting") }, random)),
            "stream-surrogate-name" => Utf8(SurrogateNames(OpenAiStream, random)),
            "html" => Utf8("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"),
            "empty" => [],
            "huge-line" => Utf8("{\"choices\":[{\"message\":{\"content\":\"" + new string('长', random.Next(10_000, 120_000)) + "\"}}],\"output\":[\"x\"],\"status\":\"succeeded\"}"),
            "random" => RandomBytes(random, random.Next(1, 2000)),
            "deep" => Utf8(new string('[', 5000) + new string(']', 5000)),
            "wrong-types" => Utf8(Pick(random,
                """{"choices":{"0":1},"usage":"lots","id":[1,2],"model":{"a":null}}""",
                """{"choices":[{"message":{"content":["a",1,{"b":2}]},"finish_reason":7}],"usage":{"total_tokens":"x"}}""",
                """{"id":{"x":1},"status":["succeeded"],"output":{"a":1}}""",
                """{"id":null,"status":null}""",
                """[1,2,3]""",
                "\"just a string\"",
                "12345")),
            "huge-numbers" => Utf8("""{"id":"p1","status":"succeeded","output":[1e400],"choices":[{"message":{"content":"好"},"finish_reason":1e999}],"usage":{"prompt_tokens":1e400,"completion_tokens":-1e400,"total_tokens":123456789012345678901234567890},"metrics":{"input_token_count":1e400}}"""),
            "sse-instead" => Utf8(OpenAiStream),
            "submit" => Utf8(Prediction("starting")),
            "submit-terminal" => Utf8(Prediction("succeeded", "[\"一\",\"次\"]")),
            "submit-failed" => Utf8(Prediction("failed", error: "\"CUDA out of memory\"")),
            "no-id" => Utf8("""{"status":"starting"}"""),
            "running" => Utf8(Prediction("processing", "[\"部\"]")),
            "succeeded" => Utf8(Prediction("succeeded", "[\"完\",\"成\"]")),
            "failed" => Utf8(Prediction("failed", error: Pick(random, "\"boom\"", "{\"nested\":1}", "null", "12"))),
            "stream" => Utf8(OpenAiStream),
            "stream-no-done" => Utf8(OpenAiStream.Replace("data: [DONE]\n\n", string.Empty, StringComparison.Ordinal)),
            "stream-invalid-utf8" => InvalidIn(OpenAiStream),
            "stream-error-event" => Utf8(Chunk("半") + "data: " + OpenAiError + "\n\n"),
            "stream-huge-line" => Utf8(Chunk("前") + "data: " + new string('x', random.Next(70_000, 200_000)) + "\n\n"),
            "stream-backtrack" => Utf8(Chunk("前") + "data: " + new string('a', random.Next(3000, 6000)) + "!\n\n" + "data: [DONE]\n\n"),
            "truncated-stream" => Utf8(OpenAiStream)[..random.Next(1, Utf8(OpenAiStream).Length)],
            "json-instead" => Utf8(random.Next(2) == 0 ? OpenAiError : OpenAiOk),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];
}
