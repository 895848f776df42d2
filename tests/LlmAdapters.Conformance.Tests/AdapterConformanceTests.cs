using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmAdapters.Conformance.Tests;

/// <summary>
/// Runs every golden case in Fixtures/&lt;adapter&gt;/&lt;case&gt;/ against the shipped definition it names, over a real
/// Kestrel server on 127.0.0.1: the adapter must send the expected requests and map the vendor's exact bytes to the
/// expected text, fields, usage and finish reason, or to the expected exception. Stream cases run in four write patterns.
/// </summary>
public class AdapterConformanceTests
{
    private static readonly string FixturesRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private static readonly string AdaptersRoot = Path.Combine(AppContext.BaseDirectory, "adapters");
    private static readonly ConcurrentDictionary<string, LlmCatalog> Catalogs = new(StringComparer.Ordinal);

    /// <summary>Shows Chinese and emoji as themselves in failure messages.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private FakeVendorServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await FakeVendorServer.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var adapterDir in Directory.EnumerateDirectories(FixturesRoot).Order(StringComparer.Ordinal))
        {
            foreach (var caseDir in Directory.EnumerateDirectories(adapterDir).Order(StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(caseDir, "case.json")))
                {
                    continue;
                }

                var fixture = FixtureCase.Load(caseDir);
                var patterns = Catalog(fixture).GetApiType(AdapterName(fixture), fixture.Call) == LlmApiType.Stream
                    ? Enum.GetValues<WritePattern>()
                    : [WritePattern.Whole];
                foreach (var pattern in patterns)
                {
                    yield return new TestCaseData(caseDir, pattern).SetName($"{fixture.Name} [{pattern}]");
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Case_MatchesGoldenExchange(string caseDir, WritePattern pattern)
    {
        var fixture = FixtureCase.Load(caseDir);
        if (fixture.Pending is { } pending)
        {
            Assert.Ignore(pending);
        }

        var catalog = Catalog(fixture);
        var isStream = catalog.GetApiType(AdapterName(fixture), fixture.Call) == LlmApiType.Stream;
        var seed = StableSeed(fixture.Name);

        // CallAsync: the whole answer, fields, usage and finish reason (a stream joined).
        var (response, error, received) = await RunAsync(fixture, pattern, seed, async client => await client.CallAsync(fixture.ToRequest()));
        AssertRequests(fixture, received, "CallAsync");
        AssertOutcome(fixture, response, error, "CallAsync");

        if (isStream)
        {
            // StreamAsync: the pieces as they arrive, which must join to the same text byte for byte.
            var (streamed, streamError, streamReceived) = await RunAsync(fixture, pattern, seed, async client =>
            {
                var sb = new StringBuilder();
                await foreach (var piece in client.StreamAsync(fixture.ToRequest()))
                {
                    sb.Append(piece);
                }

                return new LlmResponse(sb.ToString(), new Dictionary<string, JsonElement>(), 200);
            });
            AssertRequests(fixture, streamReceived, "StreamAsync");
            if (fixture.Expect["tool_calls"] is JsonArray expectedCalls)
            {
                // StreamUpdatesAsync: no chunk carries a piece of a call; the last update carries them all, whole.
                var updates = new List<LlmStreamUpdate>();
                var (_, updatesError, _) = await RunAsync(fixture, pattern, seed, async client =>
                {
                    await foreach (var update in client.StreamUpdatesAsync(fixture.ToRequest()))
                    {
                        updates.Add(update);
                    }

                    return new LlmResponse(string.Empty, new Dictionary<string, JsonElement>(), 200);
                });
                Assert.That(updatesError, Is.Null, $"StreamUpdatesAsync failed: {updatesError}");
                Assert.That(updates.SkipLast(1).All(u => u.ToolCalls.Count == 0), Is.True, "StreamUpdatesAsync: a chunk before the last carries tool calls");
                AssertToolCalls(expectedCalls, updates[^1].ToolCalls, "StreamUpdatesAsync (last update)");
            }

            if (fixture.Expect["error"] is JsonObject)
            {
                AssertError(fixture, streamError, "StreamAsync");
            }
            else
            {
                Assert.That(streamError, Is.Null, $"StreamAsync failed: {streamError}");
                Assert.That(streamed!.Text, Is.EqualTo(fixture.Expect["text"]?.GetValue<string>()), "StreamAsync: the pieces do not join to the expected text");
            }
        }
    }

    private async Task<(LlmResponse? Response, Exception? Error, IReadOnlyList<ReceivedRequest> Received)> RunAsync(
        FixtureCase fixture, WritePattern pattern, int seed, Func<ILlmClient, Task<LlmResponse>> run)
    {
        using var session = _server.Open(fixture.Exchanges, pattern, seed, fixture.LoopbackOrigins);
        var isAsync = Catalog(fixture).GetApiType(AdapterName(fixture), fixture.Call) == LlmApiType.Async;
        var profile = new LlmProfile
        {
            Adapter = AdapterName(fixture),
            BaseUrl = session.BaseUrlFor(fixture.BaseUrl ?? PresetBaseUrl(fixture)),

            // Async cases wait on a clock where every wait ends at once; a request timeout would end at once too.
            Timeout = isAsync ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(20),
            StreamIdleTimeout = TimeSpan.FromSeconds(20),

            // Fixtures pin the wire format, one exchange per request: the retry policy has its own tests.
            Retry = new LlmRetryOptions { MaxRetries = 0 },
        };
        foreach (var (name, value) in fixture.Variables)
        {
            profile.Variables[name] = value;
        }

        var client = Catalog(fixture).CreateClient(profile, _http, isAsync ? new InstantTimeProvider() : null);
        try
        {
            return (await run(client), null, session.Received);
        }
        catch (LlmException e)
        {
            return (null, e, session.Received);
        }
    }

    private static void AssertRequests(FixtureCase fixture, IReadOnlyList<ReceivedRequest> received, string how)
    {
        for (var i = 0; i < Math.Min(received.Count, fixture.Exchanges.Count); i++)
        {
            var expected = fixture.Exchanges[i];
            var actual = received[i];
            var at = $"{how}, request #{i + 1}";
            Assert.That(actual.Method, Is.EqualTo(expected.Method), $"{at}: method");
            Assert.That(actual.PathAndQuery, Is.EqualTo(expected.PathAndQuery), $"{at}: path and query");
            foreach (var (name, value) in expected.Headers)
            {
                Assert.That(actual.Headers.TryGetValue(name, out var sent) ? sent : null, Is.EqualTo(value), $"{at}: header {name}");
            }

            foreach (var (name, pattern) in expected.HeaderPatterns)
            {
                Assert.That(actual.Headers.TryGetValue(name, out var sent) ? sent : null, Does.Match(pattern), $"{at}: header {name}");
            }

            foreach (var name in expected.AbsentHeaders)
            {
                Assert.That(actual.Headers.ContainsKey(name), Is.False, $"{at}: header {name} must not be sent");
            }

            if (!expected.HasBody)
            {
                continue;
            }

            if (expected.Body is null)
            {
                Assert.That(actual.Body, Is.Empty, $"{at}: no body expected");
                continue;
            }

            JsonNode? sentBody;
            try
            {
                sentBody = JsonNode.Parse(actual.Body);
            }
            catch (JsonException e)
            {
                Assert.Fail($"{at}: the body is not JSON ({e.Message}): {Encoding.UTF8.GetString(actual.Body)}");
                return;
            }

            Assert.That(JsonNode.DeepEquals(expected.Body, sentBody), Is.True,
                $"{at}: body differs.{Environment.NewLine}Expected: {expected.Body.ToJsonString(Readable)}{Environment.NewLine}Actual:   {sentBody?.ToJsonString(Readable)}");
        }

        Assert.That(received, Has.Count.EqualTo(fixture.Exchanges.Count), $"{how}: number of requests sent ({string.Join(", ", received.Select(r => r.Method + " " + r.PathAndQuery))})");
    }

    private static void AssertOutcome(FixtureCase fixture, LlmResponse? response, Exception? error, string how)
    {
        var expect = fixture.Expect;
        if (expect["error"] is JsonObject)
        {
            AssertError(fixture, error, how);
            return;
        }

        Assert.That(error, Is.Null, $"{how} failed: {error}");
        Assert.That(response, Is.Not.Null);
        if (expect["text"] is { } text)
        {
            Assert.That(response!.Text, Is.EqualTo(text.GetValue<string>()), $"{how}: text");
        }

        if (expect["status"] is { } status)
        {
            Assert.That(response!.StatusCode, Is.EqualTo(status.GetValue<int>()), $"{how}: status");
        }

        if (expect.ContainsKey("finish_reason"))
        {
            Assert.That(response!.FinishReason, Is.EqualTo(expect["finish_reason"]?.GetValue<string>()), $"{how}: finish reason");
        }

        if (expect.ContainsKey("usage"))
        {
            if (expect["usage"] is JsonObject usage)
            {
                Assert.That(response!.Usage, Is.Not.Null, $"{how}: usage");
                Assert.That(response.Usage!.InputTokens, Is.EqualTo(usage["input"]?.GetValue<long>()), $"{how}: input tokens");
                Assert.That(response.Usage.OutputTokens, Is.EqualTo(usage["output"]?.GetValue<long>()), $"{how}: output tokens");
                Assert.That(response.Usage.TotalTokens, Is.EqualTo(usage["total"]?.GetValue<long>()), $"{how}: total tokens");
            }
            else
            {
                Assert.That(response!.Usage, Is.Null, $"{how}: usage");
            }
        }

        if (expect["tool_calls"] is JsonArray calls)
        {
            AssertToolCalls(calls, response!.ToolCalls, how);
        }

        if (expect["embeddings"] is JsonArray embeddings)
        {
            // Each number as the float the vendor's decimal text rounds to: the exact value a reader must give.
            var expected = embeddings.Select(v => v!.AsArray().Select(x => float.Parse(x!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
            Assert.That(response!.Embeddings.Select(v => v.ToArray()).ToArray(), Is.EqualTo(expected), $"{how}: embeddings");
        }

        foreach (var (name, value) in expect["fields"] as JsonObject ?? [])
        {
            Assert.That(response!.Fields.TryGetValue(name, out var actual), Is.True, $"{how}: field '{name}' is missing");
            var actualNode = JsonNode.Parse(actual.GetRawText());
            Assert.That(JsonNode.DeepEquals(value, actualNode), Is.True,
                $"{how}: field '{name}' differs.{Environment.NewLine}Expected: {value?.ToJsonString(Readable) ?? "null"}{Environment.NewLine}Actual:   {actualNode?.ToJsonString(Readable) ?? "null"}");
        }
    }

    /// <summary>The tool calls, each <c>{id, name, arguments}</c> with the arguments compared as JSON.</summary>
    private static void AssertToolCalls(JsonArray expected, IReadOnlyList<LlmToolCall> actual, string how)
    {
        Assert.That(actual.Select(c => c.Name), Is.EqualTo(expected.Select(c => c!["name"]!.GetValue<string>())), $"{how}: tool call names");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i].Id, Is.EqualTo(expected[i]!["id"]!.GetValue<string>()), $"{how}: id of tool call {i}");
            Assert.That(JsonNode.DeepEquals(expected[i]!["arguments"], JsonNode.Parse(actual[i].Arguments)), Is.True, $"{how}: arguments of tool call {i}: {actual[i].Arguments}");
        }
    }

    private static void AssertError(FixtureCase fixture, Exception? error, string how)
    {
        var expected = (JsonObject)fixture.Expect["error"]!;
        Assert.That(error, Is.Not.Null, $"{how}: expected {expected["type"]} but the call succeeded");
        Assert.That(error!.GetType().Name, Is.EqualTo(expected["type"]!.GetValue<string>()), $"{how}: exception type ({error.Message})");
        foreach (var key in new[] { "status", "vendor_message", "vendor_code", "retry_after_seconds", "should_retry", "received_text", "message_contains", "poll_status", "timed_out", "query_id" })
        {
            if (!expected.ContainsKey(key))
            {
                continue;
            }

            var value = expected[key];
            switch (key, error)
            {
                case ("status", LlmHttpException http):
                    Assert.That(http.StatusCode, Is.EqualTo(value!.GetValue<int>()), $"{how}: StatusCode");
                    break;
                case ("vendor_message", LlmHttpException http):
                    Assert.That(http.VendorMessage, Is.EqualTo(value?.GetValue<string>()), $"{how}: VendorMessage");
                    break;
                case ("vendor_message", LlmStreamException stream):
                    Assert.That(stream.VendorMessage, Is.EqualTo(value?.GetValue<string>()), $"{how}: VendorMessage");
                    break;
                case ("vendor_code", LlmHttpException http):
                    Assert.That(http.VendorCode, Is.EqualTo(value?.GetValue<string>()), $"{how}: VendorCode");
                    break;
                case ("vendor_code", LlmStreamException stream):
                    Assert.That(stream.VendorCode, Is.EqualTo(value?.GetValue<string>()), $"{how}: VendorCode");
                    break;
                case ("should_retry", LlmHttpException http):
                    Assert.That(http.ShouldRetry, Is.EqualTo(value?.GetValue<bool>()), $"{how}: ShouldRetry (the vendor's word on a retry: x-should-retry or a retry_codes code)");
                    break;
                case ("should_retry", LlmStreamException stream):
                    Assert.That(stream.ShouldRetry, Is.EqualTo(value?.GetValue<bool>()), $"{how}: ShouldRetry (a retry_codes code inside the stream)");
                    break;
                case ("vendor_code", LlmPollException poll):
                    Assert.That(poll.VendorCode, Is.EqualTo(value?.GetValue<string>()), $"{how}: VendorCode");
                    break;
                case ("retry_after_seconds", LlmHttpException http):
                    Assert.That(http.RetryAfter, Is.EqualTo(value is null ? null : TimeSpan.FromSeconds(value.GetValue<double>())), $"{how}: RetryAfter");
                    break;
                case ("received_text", LlmStreamException stream) when how == "CallAsync":
                    // StreamAsync's caller already has the text; CallAsync's exception carries all of it.
                    Assert.That(stream.ReceivedText, Is.EqualTo(value?.GetValue<string>()), $"{how}: ReceivedText");
                    break;
                case ("received_text", LlmStreamException):
                    break;
                case ("vendor_message", LlmPollException poll):
                    Assert.That(poll.VendorMessage, Is.EqualTo(value?.GetValue<string>()), $"{how}: VendorMessage");
                    break;
                case ("poll_status", LlmPollException poll):
                    Assert.That(poll.Status, Is.EqualTo(value?.GetValue<string>()), $"{how}: Status");
                    break;
                case ("timed_out", LlmPollException poll):
                    Assert.That(poll.TimedOut, Is.EqualTo(value!.GetValue<bool>()), $"{how}: TimedOut");
                    break;
                case ("query_id", LlmPollException poll):
                    Assert.That(poll.QueryId, Is.EqualTo(value?.GetValue<string>()), $"{how}: QueryId");
                    break;
                case ("message_contains", _):
                    Assert.That(error.Message, Does.Contain(value!.GetValue<string>()), $"{how}: message");
                    break;
                default:
                    Assert.Fail($"{fixture.Name}: \"{key}\" does not apply to {error.GetType().Name}");
                    break;
            }
        }

        foreach (var fake in fixture.Variables.Where(v => v.Key.Contains("key", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(v.Value)))
        {
            Assert.That(error.Message, Does.Not.Contain(fake.Value!), $"{how}: the API key leaked into the message");
        }
    }

    /// <summary>The case's definition file alone; for a preset case, every shipped file with adapters/presets.json.</summary>
    private static LlmCatalog Catalog(FixtureCase fixture) => fixture.Preset is null
        ? Catalogs.GetOrAdd(fixture.AdapterFile!, f => LlmCatalog.FromFile(Path.Combine(AdaptersRoot, f)))
        : Catalogs.GetOrAdd("(all with presets)", _ => LlmCatalog.FromDirectory(AdaptersRoot));

    /// <summary>What the profile's Adapter names: the case's preset, or the one adapter of its file.</summary>
    private static string AdapterName(FixtureCase fixture) => fixture.Preset ?? Catalog(fixture).Adapters.Single();

    private static Uri PresetBaseUrl(FixtureCase fixture)
    {
        var preset = Catalog(fixture).Presets.SingleOrDefault(p => p.Name == fixture.Preset) ?? throw new InvalidDataException($"{fixture.Name}: adapters/presets.json has no preset '{fixture.Preset}'");
        return new Uri(preset.BaseUrl ?? throw new InvalidDataException($"{fixture.Name}: the preset '{fixture.Preset}' has no base_url; give profile.base_url"));
    }

    /// <summary>A seed that is the same on every run and machine (string.GetHashCode is randomised per process).</summary>
    private static int StableSeed(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash & 0x7fffffff;
    }
}
