using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

public class DefinitionReaderTests
{
    private static LlmDefinitionException Fails(string json, string file = "bad.json")
        => Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(json, file))!;

    private static LlmDefinitionProblem Single(string json)
    {
        var e = Fails(json);
        Assert.That(e.Problems, Has.Count.EqualTo(1), e.Message);
        return e.Problems[0];
    }

    [Test]
    public void MalformedJson_GivesParserLineAndPosition()
    {
        var problem = Single("{\n  \"name\": \"x\",\n  \"chat\": { \"path\": \"/a\" \"method\": \"POST\" }\n}");
        Assert.That(problem.File, Is.EqualTo("bad.json"));
        Assert.That(problem.Line, Is.EqualTo(3));
        Assert.That(problem.Message, Does.Contain("not valid JSON").And.Contain("line 3, position"));
    }

    [Test]
    public void CommentsAndTrailingCommas_AreAllowed()
    {
        var catalog = LlmCatalog.FromJson("""
            // an adapter
            { "name": "x", /* calls */ "chat": { "path": "/a", "method": "POST", }, }
            """);
        Assert.That(catalog.GetCalls("x"), Is.EquivalentTo(new[] { "chat" }));
    }

    [Test]
    public void UnknownApiType_IsReportedAtItsLineWithHint()
    {
        var problem = Single("""
            {
              "name": "x",
              "chat": {
                "path": "/a",
                "apitype": "steam"
              }
            }
            """);
        Assert.That(problem.Line, Is.EqualTo(5));
        Assert.That(problem.JsonPath, Is.EqualTo("$.chat.apitype"));
        Assert.That(problem.Message, Does.Contain("sync, stream or async").And.Contain("did you mean 'stream'"));
    }

    [Test]
    public void MissingPath_IsReported()
    {
        var problem = Single("""{ "name": "x", "chat": { "method": "POST" } }""");
        Assert.That(problem.JsonPath, Is.EqualTo("$.chat"));
        Assert.That(problem.Message, Does.Contain("has no \"path\""));
    }

    [Test]
    public void BadRegex_IsReported()
    {
        var problem = Single("""{ "name": "x", "chat": { "path": "/a", "apitype": "stream", "chunk_match": "data: (.*" } }""");
        Assert.That(problem.JsonPath, Is.EqualTo("$.chat.chunk_match"));
        Assert.That(problem.Message, Does.Contain("not a valid regular expression"));
    }

    [Test]
    public void UnknownConverter_IsAnErrorAtLoad()
    {
        var problem = Single("""
            { "name": "x",
              "chat": { "path": "/a", "data": [ { "name": "n", "value": "${n}", "converter": "integer" } ] } }
            """);
        Assert.That(problem.Line, Is.EqualTo(2));
        Assert.That(problem.JsonPath, Is.EqualTo("$.chat.data[0]"));
        Assert.That(problem.Message, Does.Contain("converter 'integer' is unknown").And.Contain("known converters:").And.Contain("AddConverter"));
    }

    [Test]
    public void UserConverter_IsKnownAtLoad()
    {
        var catalog = new LlmCatalogBuilder()
            .AddJson("""{ "name": "x", "chat": { "path": "/a", "data": [ { "name": "n", "value": "${n}", "converter": "upper" } ] } }""")
            .AddConverter(LlmConverter.Create("upper", (string s) => s.ToUpperInvariant()))
            .Build();
        Assert.That(catalog.Contains("x"));
    }

    [Test]
    public void DuplicateCallNames_AreReported()
    {
        var problem = Single("""{ "name": "x", "chat": { "path": "/a" }, "chat": { "path": "/b" } }""");
        Assert.That(problem.Message, Does.Contain("'chat' appears twice"));
    }

    [Test]
    public void AsyncWithoutQueryPath_IsReported()
    {
        var problem = Single("""{ "name": "x", "job": { "path": "/a", "apitype": "async" } }""");
        Assert.That(problem.Message, Does.Contain("async but has no \"query_path\""));
    }

    [Test]
    public void UnknownKey_IsAnErrorWithDidYouMean()
    {
        var problem = Single("""{ "name": "x", "chat": { "path": "/a", "heders": [] } }""");
        Assert.That(problem.JsonPath, Is.EqualTo("$.chat.heders"));
        Assert.That(problem.Message, Does.Contain("unknown key \"heders\"").And.Contain("did you mean 'headers'"));
    }

    [Test]
    public void UnknownItemKey_IsAnErrorWithDidYouMean()
    {
        var problem = Single("""{ "name": "x", "chat": { "path": "/a", "data": [ { "name": "a", "valeu": 1, "value": 2 } ] } }""");
        Assert.That(problem.Message, Does.Contain("did you mean 'value'"));
    }

    [Test]
    public void DollarKeys_AreMetadataAndIgnored()
    {
        var catalog = LlmCatalog.FromJson("""{ "$schema": "./llm-adapter.schema.json", "$comment": 1, "name": "x", "chat": { "$note": "hi", "path": "/a" } }""");
        Assert.That(catalog.GetCalls("x"), Is.EquivalentTo(new[] { "chat" }));
    }

    [Test]
    public void HeaderAndHeaders_BothWork_ButNotTogether()
    {
        Assert.That(LlmCatalog.FromJson("""{ "name": "x", "chat": { "path": "/a", "header": [ { "name": "A", "value": "1" } ] } }""").Contains("x"));
        var problem = Single("""{ "name": "x", "chat": { "path": "/a", "header": [], "headers": [] } }""");
        Assert.That(problem.Message, Does.Contain("both \"headers\" and \"header\""));
    }

    [Test]
    public void EveryProblemOfAFile_IsInOneMessage()
    {
        var e = Fails("""
            {
              "name": "x",
              "a": { "apitype": "bogus" },
              "b": { "path": "/b", "resp": [ { "name": "c", "value": "x[" } ] },
              "c": { "path": "/c", "apitype": "async" },
              "d": 5
            }
            """);
        Assert.That(e.Problems, Has.Count.EqualTo(5), e.Message);
        Assert.That(e.Message, Does.Contain("5 problems in 1 file"));
        Assert.That(e.Problems.Select(p => p.Line), Is.EqualTo(new[] { 3, 3, 4, 5, 6 }));
    }

    [Test]
    public void ProblemsOfSeveralFiles_AreReportedTogether()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder()
            .AddJson("""{ "name": "a", "chat": {} }""", "a.json")
            .AddJson("""{ "chat": { "path": "/x" } }""", "b.json")
            .Build())!;
        Assert.That(e.Problems.Select(p => p.File), Is.EquivalentTo(new[] { "a.json", "b.json" }));
        Assert.That(e.Message, Does.Contain("2 problems in 2 files"));
    }

    [Test]
    public void MissingName_AndNonObjectRoot_AreReported()
    {
        Assert.That(Single("""{ "chat": { "path": "/x" } }""").Message, Does.Contain("has no \"name\""));
        Assert.That(Single("[1,2]").Message, Does.Contain("not a JSON array"));
    }

    [TestCase("""{ "name": "x", "chat": { "path": "/a", "data": { "model": "m" } } }""", "must be an array")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "data": [ { "value": 1 } ] } }""", "has no \"name\"")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "data": [ { "name": "a" } ] } }""", "has no \"value\"")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "data": [ { "name": "a", "value": 1 }, { "name": "a", "value": 2 } ] } }""", "two items named 'a'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "resp": [ { "name": "a", "value": "b]" } ] } }""", "without a matching '['")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "input_items": ["prompt", "imgae"] } }""", "did you mean 'image'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "method": "PO ST" } }""", "not an HTTP method")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "headers": [ { "name": "Bad Header", "value": "1" } ] } }""", "not a valid HTTP header name")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "data": [ { "name": "a", "value": "${oops" } ] } }""", "no closing '}'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a/${", "method": "GET" } }""", "no closing '}'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "apitype": "stream", "resp": [ { "name": "content", "value": "a" } ], "chunk_filter": { "name": "r", "op": "=~", "value": "" } } }""", "op '=~' is unknown")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "apitype": "stream", "resp": [ { "name": "content", "value": "a" } ], "chunk_filter": { "name": "r", "op": "==", "value": "", "field": "contnet" } } }""", "did you mean 'content'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "error": 5 } }""", "\"error\" must be a key path")]
    [TestCase("""{ "name": "x", "chat": 5 }""", "start its name with '$'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "apitype": "stream", "stream_format": "ssse" } }""", "did you mean 'sse'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "apitype": "stream", "stream_mode": "cumulativ" } }""", "did you mean 'cumulative'")]
    [TestCase("""{ "name": "x", "chat": { "path": "/a", "resp": [ { "name": "a", "value": "b | c[" } ] } }""", "without a matching ']'")]
    public void InvalidDefinitions_AreReportedClearly(string json, string expected)
    {
        var e = Fails(json);
        Assert.That(e.Message, Does.Contain(expected));
        Assert.That(e.Message, Does.Contain("bad.json"));
    }

    [Test]
    public void SeedExample_LoadsAndCompiles()
    {
        var catalog = LlmCatalog.FromFile(Paths.Fixture("seed-minimax.json"));
        Assert.That(catalog.GetCalls("minimax"), Is.EquivalentTo(new[] { "chat", "chat_async" }));
        Assert.That(catalog.GetApiType("minimax", "chat"), Is.EqualTo(LlmApiType.Stream));
        Assert.That(catalog.GetApiType("minimax", "chat_async"), Is.EqualTo(LlmApiType.Async));
    }

    [Test]
    public void ToolCall_UnknownKey_IsAProblemAtItsLine()
    {
        var problem = Single("""
            { "name": "x", "chat": { "path": "/a", "resp": [
              { "name": "tool_calls", "value": "calls",
                "tool_call": { "name": "n", "arguments": "a", "args": "b" } } ] } }
            """);
        Assert.That(problem.Message, Does.Contain("unknown key \"args\"").And.Contain("tool_call"));
        Assert.That(problem.Line, Is.EqualTo(3));
    }

    [Test]
    public void ToolCall_WithoutArguments_IsAProblem()
        => Assert.That(Single("""{ "name": "x", "chat": { "path": "/a", "resp": [ { "name": "tool_calls", "value": "c", "tool_call": { "name": "n" } } ] } }""").Message, Does.Contain("has no \"arguments\""));

    [Test]
    public void ToolCall_OnAnItemNotNamedToolCalls_IsAProblem()
        => Assert.That(Single("""{ "name": "x", "chat": { "path": "/a", "resp": [ { "name": "calls", "value": "c", "tool_call": { "name": "n", "arguments": "a" } } ] } }""").Message, Does.Contain("name it 'tool_calls'"));

    [Test]
    public void ACallThatSendsTools_WithoutAToolCallItem_IsAProblem()
        => Assert.That(Single("""{ "name": "x", "chat": { "path": "/a", "data": [ { "name": "tools", "value": "${tools?}" } ], "resp": [ { "name": "content", "value": "text" } ] } }""").Message, Does.Contain("maps no tool calls"));
}
