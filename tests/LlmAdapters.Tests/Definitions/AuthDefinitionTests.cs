namespace LlmAdapters.Tests.Definitions;

/// <summary>A call's <c>auth</c> key as the reader and the compiler check it: unknown keys, a missing path, async calls, a token call that would need its own token.</summary>
public class AuthDefinitionTests
{
    [Test]
    public void AuthProblems_AreReportedWithTheirPath()
    {
        var unknown = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "chat": { "path": "/a", "auth": { "path": "/token", "tokn": "access_token" } } }
            """));
        Assert.That(unknown!.Problems.Single().JsonPath, Is.EqualTo("$.chat.auth.tokn"));
        Assert.That(unknown.Problems.Single().Message, Does.Contain("did you mean 'token'"));

        var noPath = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""{ "name": "x", "chat": { "path": "/a", "auth": { "method": "POST" } } }"""));
        Assert.That(noPath!.Problems.Single().Message, Does.Contain("\"auth\" has no \"path\""));

        var onAsync = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "job": { "path": "/a", "apitype": "async", "query_path": "/q/${id}", "resp": [ { "name": "id", "value": "id" } ],
              "query_status": "status", "query_done": ["done"], "auth": { "path": "/token" } } }
            """));
        Assert.That(onAsync!.Problems.Select(p => p.Message), Has.Some.Contains("sync and stream calls only"));

        var selfToken = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "chat": { "path": "/a", "auth": { "path": "/token?t=${access_token}" } } }
            """));
        Assert.That(selfToken!.Problems.Single().Message, Does.Contain("cannot use ${access_token}"));
    }
}
