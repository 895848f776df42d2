using System.Collections.Concurrent;
using System.Text.Json;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Polling;

/// <summary>A full submit-and-poll flow against a real Kestrel server on 127.0.0.1; waits are driven by a fake clock.</summary>
public class LoopbackPollTests
{
    [Test]
    public async Task SubmitAndPoll_OverLoopback()
    {
        await using var server = await LoopbackServer.StartAsync();
        var polls = new ConcurrentDictionary<string, int>();
        var submitPath = server.Route(async context =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var prompt = body.RootElement.GetProperty("input").GetProperty("prompt").GetString();
            var id = "task-" + prompt!.Length;
            polls[id] = 0;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""{"output":{"task_id":"{{{id}}}","task_status":"PENDING"}}""");
        }, "/submit");
        var queryRoute = server.Route(async context =>
        {
            var id = context.Request.Query["id"].ToString();
            var count = polls.AddOrUpdate(id, 1, (_, n) => n + 1);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(count < 3
                ? $$$"""{"output":{"task_id":"{{{id}}}","task_status":"RUNNING"}}"""
                : $$$"""{"output":{"task_id":"{{{id}}}","task_status":"SUCCEEDED","text":"完成了 ✅ after {{{count}}} polls"}}""");
        }, "/query");
        var catalog = LlmCatalog.FromJson($$"""
            { "name": "loop", "job": {
                "path": "{{submitPath}}/submit", "apitype": "async",
                "data": [ { "name": "input", "value": { "prompt": "${prompt}" } } ],
                "resp": [ { "name": "queryid", "value": "output.task_id" } ],
                "query_path": "{{queryRoute}}/query", "query_params": [ { "name": "id", "value": "${queryid}" } ],
                "query_status": "output.task_status", "query_resp": [ { "name": "text", "value": "output.text" } ],
                "poll_interval": 3 } }
            """);
        var time = new ManualTimeProvider();
        var client = catalog.CreateClient(new LlmProfile { Adapter = "loop", BaseUrl = server.BaseUrl, Timeout = Timeout.InfiniteTimeSpan }, new SocketsHttpHandler(), time);

        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "job", Prompt = "draw" }));

        Assert.That(response.Text, Is.EqualTo("完成了 ✅ after 3 polls"));
        Assert.That(response.GetString("queryid"), Is.EqualTo("task-4"));
        Assert.That(waits, Is.EqualTo(Enumerable.Repeat(TimeSpan.FromSeconds(3), 3)));
        Assert.That(polls["task-4"], Is.EqualTo(3));
    }

    /// <summary>Replicate's prediction object as its API reference shows it (the same object answers the submit and every poll).</summary>
    private static string Prediction(string status, string output, string error = "null") => $$$"""
        {"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"meta/meta-llama-3-8b-instruct","version":"dp-e9f4",
         "input":{"prompt":"用一句话介绍你自己"},"logs":"","output":{{{output}}},"data_removed":false,"error":{{{error}}},"status":"{{{status}}}",
         "created_at":"2024-05-16T13:50:01.247Z",
         "urls":{"cancel":"https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel","get":"https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu"},
         "metrics":{"predict_time":0.42,"input_token_count":12,"output_token_count":7}}
        """;

    /// <summary>The shipped replicate adapter against a loopback server whose submit answers <paramref name="submit"/> (201) and whose polls answer <paramref name="poll"/>; returns the client and the requests seen.</summary>
    private static (ILlmClient Client, ConcurrentQueue<string> Seen) Replicate(LoopbackServer server, ManualTimeProvider time, Func<HttpContext, string> submit, string poll)
    {
        var seen = new ConcurrentQueue<string>();
        var submitRoute = server.Route(async context =>
        {
            seen.Enqueue($"{context.Request.Method} submit Prefer={context.Request.Headers["Prefer"]}");
            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(submit(context));
        }, "/v1/models/meta/meta-llama-3-8b-instruct/predictions");
        var pollRoute = server.Route(async context =>
        {
            seen.Enqueue($"{context.Request.Method} poll");
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(poll);
        }, "/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu");

        // One base URL must serve both routes: each route has its own prefix, so a handler rewrites the poll's prefix.
        var handler = new PrefixRewriter(submitRoute, pollRoute);
        var profile = new LlmProfile
        {
            Adapter = "replicate",
            BaseUrl = server.BaseUrl + submitRoute,
            Timeout = Timeout.InfiniteTimeSpan,
            Variables = { ["apikey"] = "r8_fake-replicate-key", ["model"] = "meta/meta-llama-3-8b-instruct", ["prefer"] = "wait" },
        };
        return (LlmCatalog.BuiltIn.CreateClient(profile, handler, time), seen);
    }

    [Test]
    public async Task PreferWait_SubmitAnswersSucceeded_IsTheResult_WithOneRequest()
    {
        await using var server = await LoopbackServer.StartAsync();
        var time = new ManualTimeProvider();
        var (client, seen) = Replicate(server, time,
            context => context.Request.Headers["Prefer"] == "wait" ? Prediction("succeeded", """["我","是","模型","🙂"]""") : Prediction("starting", "null"),
            Prediction("succeeded", "[]"));

        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Prompt = "用一句话介绍你自己" }));

        Assert.That(response.Text, Is.EqualTo("我是模型🙂"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(12, 7, 19)));
        Assert.That(response.GetString("queryid"), Is.EqualTo("gm3qorzdhgbfurvjtvhg6dckhu"));
        Assert.That(seen, Is.EqualTo(new[] { "POST submit Prefer=wait" }), "exactly one request, with Prefer: wait");
        Assert.That(waits, Is.Empty);
    }

    [Test]
    public async Task PreferWait_SubmitAnswersFailed_RaisesPollException_WithTheVendorsMessage()
    {
        await using var server = await LoopbackServer.StartAsync();
        var time = new ManualTimeProvider();
        var (client, seen) = Replicate(server, time, _ => Prediction("failed", "null", "\"CUDA out of memory. Tried to allocate 2.00 GiB\""), Prediction("failed", "null"));

        var e = Assert.ThrowsAsync<LlmPollException>(() => client.CallAsync(new LlmRequest { Prompt = "x" }))!;

        Assert.That((e.Status, e.QueryId, e.TimedOut), Is.EqualTo(("failed", "gm3qorzdhgbfurvjtvhg6dckhu", false)));
        Assert.That(e.VendorMessage, Is.EqualTo("CUDA out of memory. Tried to allocate 2.00 GiB"));
        Assert.That(seen, Is.EqualTo(new[] { "POST submit Prefer=wait" }));
    }

    [Test]
    public async Task SubmitStillRunning_IsPolled()
    {
        await using var server = await LoopbackServer.StartAsync();
        var time = new ManualTimeProvider();
        var (client, seen) = Replicate(server, time, _ => Prediction("processing", """["我"]"""), Prediction("succeeded", """["我","是"]"""));

        var (response, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Prompt = "x" }));

        Assert.That(response.Text, Is.EqualTo("我是"));
        Assert.That(seen, Is.EqualTo(new[] { "POST submit Prefer=wait", "GET poll" }));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(1) }));
    }

    [Test]
    public async Task PollRequestThatNeverAnswers_IsBoundedByPollTimeout()
    {
        await using var server = await LoopbackServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pollArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var submitRoute = server.Route(async context =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"output":{"task_id":"t-hang","task_status":"PENDING"}}""");
            }, "/submit");
            var queryRoute = server.Route(async context =>
            {
                pollArrived.TrySetResult();
                await release.Task; // accepts the poll and never answers (until the test ends)
            }, "/query");
            var catalog = LlmCatalog.FromJson($$"""
                { "name": "loop", "job": {
                    "path": "{{submitRoute}}/submit", "apitype": "async",
                    "resp": [ { "name": "queryid", "value": "output.task_id" } ],
                    "query_path": "{{queryRoute}}/query", "query_params": [ { "name": "id", "value": "${queryid}" } ],
                    "query_status": "output.task_status", "query_resp": [ { "name": "text", "value": "output.text" } ],
                    "poll_interval": 1, "poll_timeout": 10 } }
                """);
            var time = new ManualTimeProvider();

            // No profile timeout: only poll_timeout can end the hanging request.
            var client = catalog.CreateClient(new LlmProfile { Adapter = "loop", BaseUrl = server.BaseUrl, Timeout = Timeout.InfiniteTimeSpan }, new SocketsHttpHandler(), time);
            var call = client.CallAsync(new LlmRequest { Call = "job" });

            await time.WhenWaitArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(time.AdvanceToNextTimer(), Is.EqualTo(TimeSpan.FromSeconds(1)), "the first poll interval");
            await pollArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            time.Advance(TimeSpan.FromSeconds(9)); // to the deadline, while the poll request hangs

            var e = Assert.ThrowsAsync<LlmPollException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)))!;
            Assert.That(e.TimedOut, Is.True);
            Assert.That(e.QueryId, Is.EqualTo("t-hang"));
            Assert.That(e.Message, Does.Contain("poll_timeout of 10 s"));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>Sends requests for <paramref name="from"/>'s poll path to <paramref name="to"/>: each loopback route has its own prefix.</summary>
    private sealed class PrefixRewriter(string from, string to) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.StartsWith(from + "/v1/predictions/", StringComparison.Ordinal))
            {
                request.RequestUri = new UriBuilder(request.RequestUri) { Path = to + path[from.Length..] }.Uri;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
