using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Reliability;

/// <summary>A distinctive key driven through every error path must appear in no message, log line or span tag.</summary>
[NonParallelizable]
public class SecretLeakTests
{
    private const string Key = "sk-LEAKCANARY-9f8e7d6c";

    private static string EchoingRequest(HttpRequestMessage r) => $"request was {r.Method} {r.RequestUri} Authorization: {r.Headers.Authorization}";

    [Test]
    public async Task TheKeyAppearsInNoMessageLogOrSpan()
    {
        var logs = new CapturingLoggerProvider();
        using var listener = Spans.Listen(out var spans);
        var messages = new List<string>();

        async Task Expect<T>(Func<Task> run)
            where T : Exception
        {
            try
            {
                await run();
                Assert.Fail($"expected {typeof(T).Name}");
            }
            catch (T e)
            {
                messages.Add(e.ToString());
                if (e is LlmHttpException http)
                {
                    messages.Add(http.VendorMessage + " " + http.ResponseExcerpt);
                }

                if (e is LlmStreamException stream)
                {
                    messages.Add(stream.ReceivedText + " " + stream.VendorMessage);
                }
            }
        }

        ILlmClient Client(HttpMessageHandler handler, LlmCatalog? catalog = null, Action<LlmProfile>? configure = null, TimeProvider? time = null)
        {
            var profile = new LlmProfile { Adapter = catalog is null ? "openai" : catalog.Adapters.Single(), BaseUrl = "https://vendor.test/v1", Variables = { ["apikey"] = Key, ["model"] = "m" }, Retry = { MaxRetries = 0 } };
            configure?.Invoke(profile);
            return (catalog ?? LlmCatalog.BuiltIn).CreateClient(profile, new HttpClient(handler), time, logs);
        }

        // 401 whose message quotes the key
        await Expect<LlmHttpException>(() => Client(RecordingHandler.Json($$$"""{"error":{"message":"Incorrect API key provided: {{{Key}}}"}}""", HttpStatusCode.Unauthorized).Mock).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "p" }));

        // 500 with the whole request echoed in an HTML body
        using (var echo = new LambdaHandler((r, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("<html>" + EchoingRequest(r) + "</html>", Encoding.UTF8, "text/html") })))
        {
            await Expect<LlmHttpException>(() => Client(echo).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "p" }));
        }

        // a stream that fails with the key in its text and in an error event
        var streamBody = $"data: {{\"choices\":[{{\"delta\":{{\"content\":\"echo {Key}\"}}}}]}}\n\ndata: {{\"error\":{{\"message\":\"bad key {Key}\"}}}}\n\n";
        await Expect<LlmStreamException>(() => Client(StreamResponses.Body(streamBody).Mock).CallAsync(new LlmRequest { Prompt = "p" }));

        // an async task that fails with the key in its message
        var jobs = LlmCatalog.FromJson("""
            { "name": "jobs", "job": { "path": "/submit", "apitype": "async", "headers": [ { "name": "Authorization", "value": "Bearer ${apikey}" } ],
              "resp": [ { "name": "queryid", "value": "id" } ], "query_path": "/tasks/${queryid}", "query_status": "status", "query_error": "message" } }
            """);
        var time = new ManualTimeProvider();
        var poll = Client(RecordingHandler.Sequence((HttpStatusCode.OK, """{"id":"t1"}"""), (HttpStatusCode.OK, $$$"""{"status":"FAILED","message":"key {{{Key}}} has no quota"}""")).Mock, jobs, p => p.Timeout = Timeout.InfiniteTimeSpan, time);
        await Expect<LlmPollException>(() => PollDriver.DriveAsync(time, () => poll.CallAsync(new LlmRequest { Call = "job" })));

        // a timeout
        var slowTime = new ManualTimeProvider();
        var arrived = new TaskCompletionSource();
        using (var slow = new LambdaHandler(async (_, token) => { arrived.TrySetResult(); await Task.Delay(Timeout.Infinite, token); return new HttpResponseMessage(); }))
        {
            var client = Client(slow, configure: p => p.Timeout = TimeSpan.FromSeconds(5), time: slowTime);
            var call = client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "p" });
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            slowTime.Advance(TimeSpan.FromSeconds(6));
            await Expect<LlmTimeoutException>(() => call);
        }

        // a request that cannot be built (a header value with a line break made of the key)
        await Expect<LlmRequestException>(() => Client(RecordingHandler.Json("{}").Mock).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "p", Variables = new Dictionary<string, object?> { ["organization"] = Key + "\r\nX: y" } }));

        Assert.That(messages, Has.Count.GreaterThanOrEqualTo(6));
        Assert.That(messages, Has.None.Contains(Key), "exception messages, excerpts and received text");
        Assert.That(logs.Lines.Select(l => l.Message), Has.None.Contains(Key), "log lines");
        Assert.That(logs.Lines, Is.Not.Empty);
        var tagValues = spans.SelectMany(s => s.TagObjects.Select(t => t.Value?.ToString() ?? string.Empty).Append(s.StatusDescription ?? string.Empty).Append(s.DisplayName)).ToList();
        Assert.That(tagValues, Is.Not.Empty);
        Assert.That(tagValues, Has.None.Contains(Key), "span tags and statuses");
        Assert.That(new LlmProfile { Variables = { ["apikey"] = Key } }.ToString(), Does.Not.Contain(Key));
    }
}
