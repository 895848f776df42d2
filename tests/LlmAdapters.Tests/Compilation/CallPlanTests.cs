using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Compilation;

public class CallPlanTests
{
    [Test]
    public void Stream_IsMadeOnce_AndConcurrentFirstUsesShareIt()
    {
        // The stream plan is built on first use: threads that ask at the same time must all get the one plan.
        var catalog = LlmCatalog.FromFile(Path.Combine(Paths.Adapters, "openai.json"));
        var call = catalog.GetAdapter("openai").Calls.Values.First(c => c.ApiType == LlmApiType.Stream);
        const int Threads = 8;
        var plans = new LlmAdapters.Streaming.StreamPlan?[Threads];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            plans[i] = call.Stream;
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.That(threads.All(t => t.Join(TimeSpan.FromSeconds(30))), Is.True, "every thread finished");

        Assert.That(plans[0], Is.Not.Null);
        Assert.That(plans, Has.All.SameAs(plans[0]));
        Assert.That(call.Stream, Is.SameAs(plans[0]), "and later uses get it too");
    }

    [Test]
    public void Stream_IsNull_ForACallThatDoesNotStream()
    {
        var catalog = LlmCatalog.FromFile(Path.Combine(Paths.Adapters, "openai.json"));
        var call = catalog.GetAdapter("openai").Calls["models"];
        Assert.That(call.ApiType, Is.Not.EqualTo(LlmApiType.Stream));
        Assert.That(call.Stream, Is.Null);
    }

    [Test]
    public void RequestMethod_IsTheDefinitionsMethod_MadeOnce()
    {
        // The HttpMethod is made on first use (a load makes none); it must be the definition's method, and stay one object.
        var catalog = LlmCatalog.FromFile(Path.Combine(Paths.Adapters, "openai.json"));
        var adapter = catalog.GetAdapter("openai");
        var chat = adapter.Calls["chat"].Request;
        Assert.That(chat.MethodName, Is.EqualTo("POST"));
        var first = chat.Method;
        Assert.That(first, Is.EqualTo(HttpMethod.Post));
        Assert.That(chat.Method, Is.SameAs(first));
        Assert.That(adapter.Calls["models"].Request.Method, Is.EqualTo(HttpMethod.Get));
    }

    [Test]
    public void Build_StillReportsAStreamProblem_InTheLastCallOfAFile()
    {
        // The stream plan waits for its first use, but everything that can be wrong with it is checked by Build.
        const string Definition = """
            {
              "name": "late",
              "chat": { "path": "/chat", "apitype": "stream", "resp": [ { "name": "content", "value": "text" } ] },
              "last": {
                "path": "/last",
                "apitype": "stream",
                "resp": [ { "name": "content", "value": "text" } ],
                "chunk_filter": { "name": "done", "op": "==", "value": true, "field": "contnet" }
              }
            }
            """;
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(Definition, "late.json"));
        var problem = e!.Problems.Single();
        Assert.That((problem.File, problem.Line), Is.EqualTo(("late.json", 8)));
        Assert.That(problem.Message, Does.Contain("chunk_filter field 'contnet' is not a resp item of this call; did you mean 'content'?"));
    }
}
