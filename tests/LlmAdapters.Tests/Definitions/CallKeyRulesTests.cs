namespace LlmAdapters.Tests.Definitions;

/// <summary>Keys a call of its apitype does not read, a body on a GET, and every problem of a call reported at once.</summary>
public class CallKeyRulesTests
{
    private static LlmDefinitionException Fails(string json) => Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(json))!;

    [TestCase("\"chunk_match\": \"data: (.*)\"")]
    [TestCase("\"stream_format\": \"sse\"")]
    [TestCase("\"stream_done\": \"[DONE]\"")]
    [TestCase("\"stream_mode\": \"cumulative\"")]
    [TestCase("\"chunk_filter\": { \"name\": \"a\", \"op\": \"exists\" }")]
    public void StreamOnlyKeys_OnASyncCall_AreReported(string key)
    {
        var e = Fails($$"""{ "name": "x", "chat": { "path": "/a", "apitype": "sync", {{key}} } }""");
        Assert.That(e.Message, Does.Contain("only read by stream calls").And.Contain("call 'chat' is sync"));
    }

    [TestCase("sync", "\"query_status\": \"status\"", "async")]
    [TestCase("sync", "\"query_path\": \"/t\"", "async")]
    [TestCase("stream", "\"poll_interval\": 2", "async")]
    [TestCase("async", "\"stream_format\": \"sse\"", "stream")]
    public void KeysOfAnotherApiType_AreReported(string apiType, string key, string readBy)
    {
        var extra = apiType == "async" ? "\"query_path\": \"/t\"," : string.Empty;
        var e = Fails($$"""{ "name": "x", "chat": { "path": "/a", "apitype": "{{apiType}}", {{extra}} {{key}} } }""");
        Assert.That(e.Message, Does.Contain($"only read by {readBy} calls"));
    }

    [Test]
    public void SubmitResp_WithoutAStreamStep_IsReported()
    {
        var e = Fails("""{ "name": "x", "chat": { "path": "/a", "apitype": "stream", "submit_resp": [ { "name": "u", "value": "u" } ] } }""");
        Assert.That(e.Message, Does.Contain("submit_resp").And.Contain("query_url"));
    }

    [Test]
    public void QueryData_OnAnExplicitGet_IsReported()
    {
        var e = Fails("""{ "name": "x", "job": { "path": "/a", "apitype": "async", "data": [], "query_path": "/t", "query_method": "GET", "query_data": [ { "name": "id", "value": "${queryid}" } ] } }""");
        Assert.That(e.Message, Does.Contain("sends \"query_data\" with query_method GET").And.Contain("query_params"));
    }

    [Test]
    public void Data_OnAnExplicitGet_IsReported()
    {
        var e = Fails("""{ "name": "x", "chat": { "path": "/a", "method": "GET", "data": [ { "name": "p", "value": "${prompt}" } ] } }""");
        Assert.That(e.Message, Does.Contain("sends \"data\" with method GET"));
    }

    [Test]
    public void QueryData_WithoutAQueryMethod_MakesThePollAPost_AndAnEmptyOneSendsNoBody()
    {
        var withBody = LlmCatalog.FromJson("""{ "name": "x", "job": { "path": "/a", "apitype": "async", "data": [], "resp": [ { "name": "queryid", "value": "id" } ], "query_path": "/t", "query_data": [ { "name": "id", "value": "${queryid}" } ] } }""");
        Assert.That(withBody.Adapters, Does.Contain("x"));
        var empty = LlmCatalog.FromJson("""{ "name": "y", "job": { "path": "/a", "apitype": "async", "data": [], "query_path": "/t", "query_data": [] } }""");
        Assert.That(empty.Adapters, Does.Contain("y"));
    }

    /// <summary>An invalid apitype does not hide the other problems of the call, the compiler's (an unknown converter, a bad template) included.</summary>
    [Test]
    public void AnInvalidApiType_DoesNotHideTheCallsOtherProblems()
    {
        var e = Fails("""
            { "name": "x", "chat": {
                "path": "/a/${model",
                "apitype": "streem",
                "data": [ { "name": "p", "value": "${prompt}", "converter": "no_such_converter" } ],
                "resp": [ { "name": "content", "value": "choices[0" } ]
            } }
            """);
        Assert.That(e.Problems.Select(p => p.Message), Has.Some.Contains("apitype 'streem'"));
        Assert.That(e.Problems.Select(p => p.Message), Has.Some.Contains("no_such_converter"));
        Assert.That(e.Problems.Select(p => p.Message), Has.Some.Contains("path"));
        Assert.That(e.Problems.Select(p => p.Message), Has.Some.Contains("resp item 'content'"));
    }
}
