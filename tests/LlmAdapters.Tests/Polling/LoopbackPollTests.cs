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
}
