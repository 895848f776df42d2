using System.Net;
using System.Text.Json;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Polling;

public class PollCallTests
{
    private const string Definition = """
        {
          "name": "jobs",
          "image": {
            "path": "/services/text2image",
            "apitype": "async",
            "headers": [ { "name": "Authorization", "value": "Bearer ${apikey}" }, { "name": "X-Async", "value": "enable" } ],
            "data": [ { "name": "model", "value": "${model}" }, { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "queryid", "value": "output.task_id" }, { "name": "request_id", "value": "request_id" } ],
            "query_path": "/tasks/${queryid}",
            "query_status": "output.task_status",
            "query_done": ["SUCCEEDED"],
            "query_failed": ["FAILED", "CANCELED", "UNKNOWN"],
            "query_error": "output.message",
            "query_resp": [
              { "name": "text", "value": "output.results[0].url" },
              { "name": "urls", "value": "output.results" },
              { "name": "status", "value": "output.task_status" }
            ],
            "poll_interval": 2,
            "poll_backoff": 1.5,
            "poll_max_interval": 5,
            "poll_timeout": 60
          }
        }
        """;

    private static readonly LlmCatalog Catalog = LlmCatalog.FromJson(Definition, "jobs.json");

    private static string Submitted(string id = "t-1") => $$$"""{"request_id":"r-1","output":{"task_id":"{{{id}}}","task_status":"PENDING"}}""";

    private static string Status(string status) => $$$"""{"output":{"task_id":"t-1","task_status":"{{{status}}}"}}""";

    private const string Succeeded = """{"output":{"task_id":"t-1","task_status":"SUCCEEDED","results":[{"url":"https://img/1.png"},{"url":"https://img/2.png"}]},"usage":{"image_count":2}}""";

    private static (ILlmClient Client, ManualTimeProvider Time) Client(RecordingHandler handler)
    {
        var time = new ManualTimeProvider();
        var profile = new LlmProfile
        {
            Adapter = "jobs",
            BaseUrl = "https://dash.test/api/v1",
            Variables = { ["apikey"] = "sk-poll-secret", ["model"] = "wanx-v1" },
            Timeout = Timeout.InfiniteTimeSpan, // the poll loop's own deadline is what these tests drive
        };
        return (Catalog.CreateClient(profile, handler.Mock, time), time);
    }

    [Test]
    public async Task SubmitThenPoll_UntilSucceeded_WithIntervalAndBackoff()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, Submitted()),
            (HttpStatusCode.OK, Status("PENDING")),
            (HttpStatusCode.OK, Status("RUNNING")),
            (HttpStatusCode.OK, Status("RUNNING")),
            (HttpStatusCode.OK, Succeeded));
        var (client, time) = Client(handler);

        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "一只猫" }));

        Assert.That(response.Text, Is.EqualTo("https://img/1.png"));
        Assert.That(response.Fields["urls"].GetArrayLength(), Is.EqualTo(2));
        Assert.That(response.GetString("queryid"), Is.EqualTo("t-1"), "the submit's fields are kept");
        Assert.That(waits, Is.EqualTo(new[] { 2, 3, 4.5, 5 }.Select(TimeSpan.FromSeconds)), "2 s, then ×1.5 up to 5 s");
        Assert.That(handler.Requests[0].Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(handler.Requests[0].Url.AbsoluteUri, Is.EqualTo("https://dash.test/api/v1/services/text2image"));
        Json.AssertEqual("""{"model":"wanx-v1","prompt":"一只猫"}""", handler.Requests[0].Body!);
        Assert.That(handler.Requests.Skip(1).Select(r => (r.Method.Method, r.Url.AbsoluteUri, r.Body)), Is.All.EqualTo(("GET", "https://dash.test/api/v1/tasks/t-1", (string?)null)));
        Assert.That(handler.Requests.Skip(1).Select(r => r.Headers["Authorization"]), Is.All.EqualTo("Bearer sk-poll-secret"), "the query reuses the call's headers");
    }

    [TestCase("FAILED")]
    [TestCase("UNKNOWN")]
    public void FailedStatus_RaisesPollException_WithVendorMessage(string status)
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, Submitted()),
            (HttpStatusCode.OK, $$$"""{"output":{"task_id":"t-1","task_status":"{{{status}}}","code":"DataInspectionFailed","message":"Input data may contain inappropriate content."}}"""));
        var (client, time) = Client(handler);
        var e = Assert.ThrowsAsync<LlmPollException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" })))!;
        Assert.That(e.TimedOut, Is.False);
        Assert.That(e.Status, Is.EqualTo(status));
        Assert.That(e.QueryId, Is.EqualTo("t-1"));
        Assert.That(e.VendorMessage, Is.EqualTo("Input data may contain inappropriate content."));
        Assert.That(e.Message, Does.Contain($"failed with status '{status}'").And.Not.Contain("sk-poll-secret"));
    }

    [Test]
    public async Task TransientPollFailures_AreRetried_HonouringRetryAfter()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, Submitted()),
            (HttpStatusCode.BadGateway, "<html>bad gateway</html>"),
            (HttpStatusCode.TooManyRequests, """{"message":"slow down"}"""),
            (HttpStatusCode.OK, Succeeded));
        var (client, time) = Client(handler);
        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }));
        Assert.That(response.Text, Is.EqualTo("https://img/1.png"));
        Assert.That(waits, Is.EqualTo(new[] { 2.0, 2, 17 }.Select(TimeSpan.FromSeconds)), "after the 429 the wait is its Retry-After (17 s)");
    }

    [Test]
    public void Submit_IsNeverRetried()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.ServiceUnavailable, """{"message":"busy"}"""));
        var (client, _) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }))!;
        Assert.That(e.StatusCode, Is.EqualTo(503));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void NonTransientPollError_StopsTheLoop()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Submitted()), (HttpStatusCode.NotFound, """{"message":"task not found"}"""));
        var (client, time) = Client(handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" })))!;
        Assert.That(e.StatusCode, Is.EqualTo(404));
        Assert.That(e.VendorMessage, Is.EqualTo("task not found"));
    }

    [Test]
    public void Deadline_PassingRaisesTimedOut_WithTheQueryIdToResume()
    {
        var responses = new List<(HttpStatusCode, string)> { (HttpStatusCode.OK, Submitted("t-slow")) };
        responses.AddRange(Enumerable.Repeat((HttpStatusCode.OK, Status("RUNNING")), 20));
        var handler = RecordingHandler.Sequence([.. responses]);
        var (client, time) = Client(handler);
        var e = Assert.ThrowsAsync<LlmPollException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" })))!;
        Assert.That(e.TimedOut, Is.True);
        Assert.That(e.QueryId, Is.EqualTo("t-slow"));
        Assert.That(e.Status, Is.EqualTo("RUNNING"));
        Assert.That(e.Message, Does.Contain("poll_timeout of 60 s").And.Contain("QueryId = \"t-slow\""));
        Assert.That(handler.Requests.Count, Is.LessThan(21), "the loop stops at the deadline");
    }

    [Test]
    public async Task Resume_FromAQueryId_SkipsTheSubmit()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Status("RUNNING")), (HttpStatusCode.OK, Succeeded));
        var (client, time) = Client(handler);
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", QueryId = "t-1" }));
        Assert.That(response.Text, Is.EqualTo("https://img/1.png"));
        Assert.That(handler.Requests.Select(r => r.Url.AbsolutePath), Is.All.EqualTo("/api/v1/tasks/t-1"));
    }

    [Test]
    public async Task Cancellation_MidWait_StopsAtOnce()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Submitted()));
        var (client, time) = Client(handler);
        using var cts = new CancellationTokenSource();
        var call = client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }, cts.Token);
        await time.WhenTimerArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();
        Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(handler.Requests, Has.Count.EqualTo(1), "no poll was sent after cancelling");
    }

    [Test]
    public async Task Progress_IsObservedThroughStreamUpdates()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, Submitted()),
            (HttpStatusCode.OK, Status("PENDING")),
            (HttpStatusCode.OK, Status("RUNNING")),
            (HttpStatusCode.OK, Succeeded));
        var (client, time) = Client(handler);
        var (updates, _) = await PollDriver.DriveAsync(time, async () =>
        {
            var list = new List<LlmStreamUpdate>();
            await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Call = "image", Prompt = "x" }))
            {
                list.Add(update);
            }

            return list;
        });

        Assert.That(updates.Select(u => u.Status), Is.EqualTo(new[] { "submitted", "PENDING", "RUNNING", "finished" }));
        Assert.That(updates[0].Fields["queryid"].GetString(), Is.EqualTo("t-1"), "the first update carries the id, so a caller can store it and resume later");
        Assert.That(updates[^1].Text, Is.EqualTo("https://img/1.png"));
    }

    [Test]
    public void SubmitWithoutTheQueryId_SaysSoWithoutPolling()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, """{"request_id":"r-1","output":{}}"""));
        var (client, _) = Client(handler);
        var e = Assert.ThrowsAsync<LlmPollException>(() => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }))!;
        Assert.That(e.Message, Does.Contain("has no 'queryid' (resp path 'output.task_id')"));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task WithoutQueryStatus_202MeansRunning_AndNonJsonResultIsText()
    {
        var catalog = LlmCatalog.FromJson("""
            { "name": "j", "job": { "path": "/submit", "method": "POST", "apitype": "async", "resp": [ { "name": "queryid", "value": "id" } ], "query_path": "/result/${queryid}", "poll_interval": 1 } }
            """);
        var queue = new Queue<HttpResponseMessage>(
        [
            new(HttpStatusCode.OK) { Content = new StringContent("""{"id":"9"}""") },
            new(HttpStatusCode.Accepted) { Content = new StringContent("") },
            new(HttpStatusCode.OK) { Content = new StringContent("最终结果", System.Text.Encoding.UTF8, "text/plain") },
        ]);
        var handler = RecordingHandler.Respond(() => queue.Dequeue());
        var time = new ManualTimeProvider();
        var client = catalog.CreateClient(new LlmProfile { Adapter = "j", BaseUrl = "https://h", Timeout = Timeout.InfiniteTimeSpan }, handler.Mock, time);
        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "job" }));
        Assert.That(response.Text, Is.EqualTo("最终结果"));
        Assert.That(waits, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ManyConcurrentPolls_HoldNoThreads()
    {
        // 1,000 tasks wait on the fake clock at once; none holds a thread while waiting.
        var handler = RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(Submitted(), System.Text.Encoding.UTF8, "application/json"),
        });
        var (client, time) = Client(handler);
        var threadsBefore = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var calls = Enumerable.Range(0, 1000).Select(_ => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" })).ToList();
        await time.WhenArmedTimersAtLeastAsync(1000).WaitAsync(TimeSpan.FromSeconds(30));
        var threadsWaiting = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        Assert.That(time.ActiveTimers, Is.EqualTo(1000), "every call is waiting on a timer");
        Assert.That(threadsWaiting - threadsBefore, Is.LessThan(100), "far fewer threads than waiting calls (other tests run in parallel and may start a few)");
        Assert.That(calls.Count(c => c.IsCompleted), Is.Zero);
    }

    [Test]
    public async Task TerminalSubmit_Succeeded_IsTheResult_WithoutAPoll()
    {
        // A vendor that answers at once (a cached result, or Replicate's "Prefer: wait") sends the finished task itself.
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Succeeded.Replace("\"output\":{", "\"request_id\":\"r-1\",\"output\":{", StringComparison.Ordinal)));
        var (client, time) = Client(handler);

        var (updates, waits) = await PollDriver.DriveAsync(time, async () =>
        {
            var list = new List<LlmStreamUpdate>();
            await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Call = "image", Prompt = "x" }))
            {
                list.Add(update);
            }

            return list;
        });

        Assert.That(handler.Requests, Has.Count.EqualTo(1), "nothing polled");
        Assert.That(waits, Is.Empty);
        Assert.That(updates.Select(u => u.Status), Is.EqualTo(new[] { "submitted", "finished" }));
        var result = updates[^1];
        Assert.That(result.Text, Is.EqualTo("https://img/1.png"));
        Assert.That(result.Fields["urls"].GetArrayLength(), Is.EqualTo(2), "mapped by query_resp");
        Assert.That(result.Fields["queryid"].GetString(), Is.EqualTo("t-1"), "and by the submit's resp");
        Assert.That(result.Fields["request_id"].GetString(), Is.EqualTo("r-1"));
    }

    [Test]
    public void TerminalSubmit_Failed_RaisesPollException_WithoutAPoll()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, """{"output":{"task_id":"t-1","task_status":"FAILED","code":"DataInspectionFailed","message":"Input data may contain inappropriate content."}}"""));
        var (client, _) = Client(handler);

        var e = Assert.ThrowsAsync<LlmPollException>(() => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }))!;

        Assert.That((e.Status, e.QueryId, e.TimedOut), Is.EqualTo(("FAILED", "t-1", false)));
        Assert.That(e.VendorMessage, Is.EqualTo("Input data may contain inappropriate content."));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task NonTerminalSubmit_IsPolled()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Submitted()), (HttpStatusCode.OK, Succeeded));
        var (client, time) = Client(handler);
        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }));
        Assert.That(response.Text, Is.EqualTo("https://img/1.png"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(2) }));
    }

    [TestCase("""{"output":{"task_status":"FAILED","code":"DataInspectionFailed","message":"inappropriate"}}""", "DataInspectionFailed")]
    [TestCase("""{"output":{"task_status":"FAILED","code":"Success","message":"inappropriate"}}""", null)]
    [TestCase("""{"output":{"task_status":"FAILED","message":"inappropriate"}}""", null)]
    public async Task FailedTask_HasTheVendorCode_FromTheErrorCodePath(string failed, string? code)
    {
        var catalog = LlmCatalog.FromJson(Definition.Replace("\"query_error\": \"output.message\",", "\"query_error\": \"output.message\", \"error\": { \"message\": \"output.message\", \"code\": \"output.code\", \"ok_codes\": [\"Success\"] },", StringComparison.Ordinal), "jobs.json");
        var time = new ManualTimeProvider();
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Submitted()), (HttpStatusCode.OK, failed));
        var client = catalog.CreateClient(new LlmProfile { Adapter = "jobs", BaseUrl = "https://dash.test", Variables = { ["apikey"] = "k", ["model"] = "m" }, Timeout = Timeout.InfiniteTimeSpan }, handler.Mock, time);

        var e = await PollFailure(time, client);

        Assert.That(e.VendorCode, Is.EqualTo(code));
        Assert.That(e.VendorMessage, Is.EqualTo("inappropriate"));
        Assert.That(e.Message, code is null ? Does.Not.Contain("(code") : Does.Contain($"(code {code})"));
    }

    /// <summary>query_error_code: a failed task's code where the call's error code path does not reach (DashScope's output.code beside a top-level code).</summary>
    [Test]
    public async Task FailedTask_HasTheVendorCode_FromQueryErrorCode()
    {
        var catalog = LlmCatalog.FromJson(Definition.Replace("\"query_error\": \"output.message\",", "\"query_error\": \"output.message\", \"query_error_code\": \"output.code\", \"error\": { \"message\": \"message\", \"code\": \"code\" },", StringComparison.Ordinal), "jobs.json");
        var time = new ManualTimeProvider();
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Submitted()), (HttpStatusCode.OK, """{"request_id":"r-2","output":{"task_id":"t-1","task_status":"FAILED","code":"InvalidParameter","message":"bad size"}}"""));
        var client = catalog.CreateClient(new LlmProfile { Adapter = "jobs", BaseUrl = "https://dash.test", Variables = { ["apikey"] = "k", ["model"] = "m" }, Timeout = Timeout.InfiniteTimeSpan }, handler.Mock, time);

        var e = await PollFailure(time, client);

        Assert.That(e.VendorCode, Is.EqualTo("InvalidParameter"));
        Assert.That(e.VendorMessage, Is.EqualTo("bad size"));
        Assert.That(e.Message, Does.Contain("(code InvalidParameter)"));
    }

    private static async Task<LlmPollException> PollFailure(ManualTimeProvider time, ILlmClient client)
    {
        try
        {
            await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }));
        }
        catch (LlmPollException e)
        {
            return e;
        }

        throw new AssertionException("the task should have failed");
    }
}
