using System.Text;
using LlmAdapters.Definitions;
using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Definitions;

/// <summary>DefinitionReader fills one sub-record per part of a call: the request, the stream (enums at reading time), the poll.</summary>
public class CallDefinitionTests
{
    private static CallDefinition Read(string json)
    {
        var problems = new List<LlmDefinitionProblem>();
        var adapter = DefinitionReader.Read(Encoding.UTF8.GetBytes(json), "t.json", problems);
        Assert.That(problems, Is.Empty, string.Join("\n", problems.Select(p => p.Message)));
        return adapter!.Calls.Single();
    }

    [Test]
    public void StreamKeys_AreReadIntoStreamDefinition_AsEnums()
    {
        var call = Read("""
            { "name": "v", "chat": { "path": "/c", "apitype": "stream", "data": [{ "name": "q", "value": "${prompt}" }],
              "stream_format": "SSE", "stream_mode": "cumulative", "stream_done": "[END]", "chunk_match": "data: (.*)",
              "resp": [{ "name": "content", "value": "output.text" }] } }
            """);

        Assert.That(call.Request.Method, Is.EqualTo("POST"), "a call with data defaults to POST");
        Assert.That(call.Stream.Format, Is.EqualTo(StreamFormat.Sse));
        Assert.That(call.Stream.Mode, Is.EqualTo(StreamMode.Cumulative));
        Assert.That((call.Stream.Done, call.Stream.ChunkMatch), Is.EqualTo(("[END]", "data: (.*)")));
        Assert.That(call.Poll, Is.Null);
    }

    [Test]
    public void CallWithoutStreamKeys_HasTheDefaults()
    {
        var call = Read("""{ "name": "v", "chat": { "path": "/c", "resp": [{ "name": "content", "value": "text" }] } }""");

        Assert.That(call.Request.Method, Is.EqualTo("GET"), "a call without data defaults to GET");
        Assert.That(call.Request.Data, Is.Null);
        Assert.That((call.Stream.Format, call.Stream.Mode, call.Stream.Done), Is.EqualTo((StreamFormat.Lines, StreamMode.Delta, (string?)null)));
    }

    [Test]
    public void QueryKeys_AreAPollDefinition_WhoseRequestReusesTheCallsHeadersUnlessGiven()
    {
        const string Keys = """
            "path": "/submit", "apitype": "async", "headers": [{ "name": "Authorization", "value": "Bearer ${apikey}" }],
            "data": [{ "name": "p", "value": "${prompt}" }], "resp": [{ "name": "queryid", "value": "id" }],
            "query_path": "/tasks/${queryid}", "query_status": "status", "query_done": ["ok"], "poll_interval": 0.5,
            "query_resp": [{ "name": "content", "value": "output" }]
            """;
        var reused = Read($$"""{ "name": "v", "job": { {{Keys}} } }""");
        var own = Read($$"""{ "name": "v", "job": { {{Keys}}, "query_method": "post", "query_headers": [{ "name": "X-Poll", "value": "1" }] } }""");

        Assert.That(reused.Poll, Is.Not.Null);
        Assert.That((reused.Poll!.Request.Method, reused.Poll.Request.Path), Is.EqualTo(("GET", "/tasks/${queryid}")));
        Assert.That(reused.Poll.Request.Headers.Select(h => h.Name), Is.EqualTo(new[] { "Authorization" }));
        Assert.That((reused.Poll.Status, reused.Poll.Interval), Is.EqualTo(("status", (double?)0.5)));
        Assert.That(reused.Poll.Done, Is.EqualTo(new[] { "ok" }));
        Assert.That(own.Poll!.Request.Method, Is.EqualTo("POST"));
        Assert.That(own.Poll.Request.Headers.Select(h => h.Name), Is.EqualTo(new[] { "X-Poll" }));
    }
}
