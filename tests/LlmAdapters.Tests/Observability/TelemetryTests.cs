using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using LlmAdapters.Observability;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Tests.Observability;

public class TelemetryTests
{
    private const string Secret = "sk-telemetry-secret-77";
    private const string Prompt = "my private question 私密";

    private static (ILlmClient Client, LlmTelemetry Telemetry, CapturingLoggerProvider Logs) Client(RecordingHandler handler, string profile)
    {
        var telemetry = new LlmTelemetry(null);
        var logs = new CapturingLoggerProvider();
        var client = LlmCatalog.BuiltIn.CreateClient(
            new LlmProfile { Adapter = "openai", BaseUrl = "https://api.moonshot.cn:8443/v1", Variables = { ["apikey"] = Secret, ["model"] = "moonshot-v1-8k" } },
            new HttpClient(handler.Mock),
            profile,
            null,
            telemetry,
            logs.CreateLogger(LlmTelemetry.Name));
        return (client, telemetry, logs);
    }

    private static List<(string Instrument, string Unit, double Value, Dictionary<string, object?> Tags)> Listen(LlmTelemetry telemetry, out MeterListener listener)
    {
        var measurements = new List<(string, string, double, Dictionary<string, object?>)>();
        listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, telemetry.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, instrument.Unit!, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        listener.Start();
        return measurements;
    }

    [Test]
    public async Task StreamCall_RecordsDurationTokensAndTimeToFirstChunk_WithGenAiTags()
    {
        var (client, telemetry, _) = Client(StreamResponses.Body(StreamResponses.OpenAi(["a", "b"])), "metrics-profile");
        var measurements = Listen(telemetry, out var listener);
        using (listener)
        {
            await StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest { Prompt = Prompt, MaxTokens = 64 }));
        }

        Assert.That(measurements.Select(m => (m.Instrument, m.Unit)).Distinct(), Is.EquivalentTo(new[]
        {
            ("gen_ai.client.operation.time_to_first_chunk", "s"),
            ("gen_ai.client.operation.duration", "s"),
            ("gen_ai.client.token.usage", "{token}"),
        }));
        var duration = measurements.Single(m => m.Instrument == "gen_ai.client.operation.duration");
        Assert.That(duration.Value, Is.GreaterThan(0));
        Assert.That(duration.Tags["gen_ai.operation.name"], Is.EqualTo("chat"));
        Assert.That(duration.Tags["gen_ai.provider.name"], Is.EqualTo("openai"));
        Assert.That(duration.Tags["gen_ai.request.model"], Is.EqualTo("moonshot-v1-8k"));
        Assert.That(duration.Tags["gen_ai.response.model"], Is.EqualTo("m"));
        Assert.That(duration.Tags["server.address"], Is.EqualTo("api.moonshot.cn"));
        Assert.That(duration.Tags["server.port"], Is.EqualTo(8443));
        Assert.That(duration.Tags.ContainsKey("error.type"), Is.False);
        var tokens = measurements.Where(m => m.Instrument == "gen_ai.client.token.usage").ToDictionary(m => (string)m.Tags["gen_ai.token.type"]!, m => m.Value);
        Assert.That(tokens, Is.EquivalentTo(new Dictionary<string, double> { ["input"] = 5, ["output"] = 7 }));
    }

    [Test]
    public async Task Spans_FollowTheGenAiConventions()
    {
        using var activityListener = Spans.Listen(out var activities);
        var (client, _, _) = Client(StreamResponses.Body(StreamResponses.OpenAi(["x"])), "span-profile");
        await client.CallAsync(new LlmRequest { Prompt = Prompt, MaxTokens = 64, Temperature = 0.2 });

        var span = activities.Single(a => (string?)a.GetTagItem(LlmTelemetry.ProfileTag) == "span-profile");
        Assert.That(span.DisplayName, Is.EqualTo("chat moonshot-v1-8k"));
        Assert.That(span.Kind, Is.EqualTo(ActivityKind.Client));
        Assert.That(span.GetTagItem("gen_ai.operation.name"), Is.EqualTo("chat"));
        Assert.That(span.GetTagItem("gen_ai.provider.name"), Is.EqualTo("openai"));
        Assert.That(span.GetTagItem("gen_ai.request.max_tokens"), Is.EqualTo(64));
        Assert.That(span.GetTagItem("gen_ai.request.temperature"), Is.EqualTo(0.2));
        Assert.That(span.GetTagItem("gen_ai.response.model"), Is.EqualTo("m"));
        Assert.That(span.GetTagItem("gen_ai.response.finish_reasons"), Is.EqualTo(new[] { "stop" }));
        Assert.That(span.GetTagItem("gen_ai.usage.input_tokens"), Is.EqualTo(5L));
        Assert.That(span.GetTagItem("gen_ai.usage.output_tokens"), Is.EqualTo(7L));
        Assert.That(span.GetTagItem("server.address"), Is.EqualTo("api.moonshot.cn"));
        Assert.That(span.Tags.Select(t => t.Value), Has.None.Contains(Secret).And.None.Contains(Prompt));
    }

    [Test]
    public async Task Failures_AreTaggedWithErrorType_AndLoggedWithoutSecretsOrPrompts()
    {
        using var activityListener = Spans.Listen(out var activities);
        var handler = RecordingHandler.Json($$$"""{"error":{"message":"Incorrect API key provided: {{{Secret}}}"}}""", HttpStatusCode.Unauthorized);
        var (client, telemetry, logs) = Client(handler, "failing-profile");
        var measurements = Listen(telemetry, out var listener);
        using (listener)
        {
            Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Prompt = Prompt }));
        }

        Assert.That(measurements.Single(m => m.Instrument == "gen_ai.client.operation.duration").Tags["error.type"], Is.EqualTo("401"));
        var span = activities.Single(a => (string?)a.GetTagItem(LlmTelemetry.ProfileTag) == "failing-profile");
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(span.GetTagItem("error.type"), Is.EqualTo("401"));
        Assert.That(span.StatusDescription, Does.Not.Contain(Secret));
        var lines = logs.Lines.Select(l => l.Message).ToList();
        Assert.That(lines, Has.Some.Contains("openai.chat for profile failing-profile failed").And.Some.Contains("***"));
        Assert.That(lines, Has.None.Contains(Secret).And.None.Contains(Prompt));
    }

    [Test]
    public async Task AStreamThatFailsMidway_IsRecordedAsFailed_ByStreamAsyncAndStreamUpdatesAsync()
    {
        // The stream's step is awaited in the observed loop itself: a failure there must still reach the span, the
        // duration metric and the log before it propagates, after pieces were already yielded.
        var body = StreamResponses.OpenAi(["first"]).Replace("data: [DONE]", "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", StringComparison.Ordinal);
        foreach (var updates in new[] { false, true })
        {
            using var activityListener = Spans.Listen(out var activities);
            var profile = updates ? "failing-updates" : "failing-stream";
            var (client, telemetry, logs) = Client(StreamResponses.Body(body), profile);
            var measurements = Listen(telemetry, out var listener);
            var pieces = new List<string>();
            using (listener)
            {
                Assert.ThrowsAsync<LlmStreamException>(async () =>
                {
                    if (updates)
                    {
                        await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = Prompt }))
                        {
                            pieces.Add(update.Text);
                        }
                    }
                    else
                    {
                        await foreach (var piece in client.StreamAsync(new LlmRequest { Prompt = Prompt }))
                        {
                            pieces.Add(piece);
                        }
                    }
                });
            }

            Assert.That(pieces, Does.Contain("first"), profile);
            var duration = measurements.Single(m => m.Instrument == "gen_ai.client.operation.duration");
            Assert.That(duration.Tags["error.type"], Is.EqualTo(nameof(LlmStreamException)), profile);
            var span = activities.Single(a => (string?)a.GetTagItem(LlmTelemetry.ProfileTag) == profile);
            Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error), profile);
            Assert.That(logs.Lines.Select(l => l.Message), Has.Some.Contains($"openai.chat for profile {profile} failed"), profile);
        }
    }

    [Test]
    public async Task Logs_SayAdapterCallStatusAndDuration()
    {
        var (client, _, logs) = Client(StreamResponses.Body(StreamResponses.OpenAi(["x"])), "log-profile");
        await client.CallAsync(new LlmRequest { Prompt = Prompt });
        var completed = logs.Lines.Single(l => l.Level == LogLevel.Information);
        Assert.That(completed.Category, Is.EqualTo("LlmAdapters"));
        Assert.That(completed.Message, Does.Match(@"^openai\.chat for profile log-profile answered 200 in \d+(\.\d)? ms \(5 input, 7 output tokens\)$"));
        Assert.That(logs.Lines.Select(l => l.Message), Has.None.Contains(Prompt).And.None.Contains(Secret));
    }

    [Test]
    public async Task UsageMonitor_SummarisesPerProfile_FromTheSameMetrics()
    {
        var telemetry = new LlmTelemetry(null);
        using var monitor = new LlmUsageMonitor(telemetry, TimeProvider.System);
        var ok = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "https://h/v1", Variables = { ["apikey"] = "k", ["model"] = "m" } },
            new HttpClient(StreamResponses.Body(StreamResponses.OpenAi(["x"])).Mock), "alpha", null, telemetry);
        var failing = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "https://h/v1", Variables = { ["apikey"] = "k", ["model"] = "m" }, Retry = { MaxRetries = 0 } },
            new HttpClient(RecordingHandler.Json("{}", HttpStatusCode.InternalServerError).Mock), "beta", null, telemetry);

        await ok.CallAsync(new LlmRequest { Prompt = "1" });
        await StreamResponses.CollectAsync(ok.StreamAsync(new LlmRequest { Prompt = "2" }));
        Assert.ThrowsAsync<LlmHttpException>(() => failing.CallAsync(new LlmRequest { Prompt = "3" }));

        var snapshot = monitor.Snapshot();
        var alpha = snapshot.Profiles.Single(p => p.Profile == "alpha");
        Assert.That((alpha.Requests, alpha.Errors, alpha.InputTokens, alpha.OutputTokens), Is.EqualTo((2L, 0L, 10L, 14L)));
        Assert.That(alpha.LatencyP50, Is.Not.Null);
        Assert.That(alpha.LatencyP99, Is.GreaterThanOrEqualTo(alpha.LatencyP50));
        Assert.That(alpha.TimeToFirstChunkP50, Is.Not.Null);
        var beta = snapshot.Profiles.Single(p => p.Profile == "beta");
        Assert.That((beta.Requests, beta.Errors), Is.EqualTo((1L, 1L)));
        Assert.That(beta.ErrorsByType, Is.EquivalentTo(new Dictionary<string, long> { ["500"] = 1 }));
    }
}
