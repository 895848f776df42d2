using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>The one-pass reader of sync responses must give what the document path gives, or decline.</summary>
public class ResponseReaderTests
{
    private static readonly ResponseMap Map = new(
    [
        new ResponseField("content", [KeyPath.Parse("choices[0].message.content")], null),
        new ResponseField("alt", [KeyPath.Parse("missing"), KeyPath.Parse("nullish"), KeyPath.Parse("second")], null),
        new ResponseField("usage", [KeyPath.Parse("usage")], null),
        new ResponseField("deep", [KeyPath.Parse("a.b[1].c")], null),
        new ResponseField("quoted", [KeyPath.Parse("['we.ird']")], null),
        new ResponseField("absent", [KeyPath.Parse("not.there[3]")], null),
    ]);

    [TestCase("""{"choices":[{"message":{"content":"你好 😀"}}],"second":2,"nullish":null,"usage":{"total_tokens":3}}""")]
    [TestCase("""  {"choices":[{"message":{"content":null}}],"a":{"b":[0,{"c":[1,{"x":"y"}]}]},"we.ird":true}  """)]
    [TestCase("""{"choices":[{"message":{"content":"first"}}],"choices":[{"message":{"content":"last"}}]}""")]
    [TestCase("""{"ch\u006fices":[{"message":{"content":"escaped name"}}]}""")]
    [TestCase("""{"choices":[{"message":{"content":""}}],"usage":null,"second":null}""")]
    public void TryMap_GivesWhatTheDocumentGives(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var reader = new ResponseReader(Map, ErrorMap.Default);

        Assert.That(reader.TryMap(bytes, "test", out var mapped), Is.True);
        var fields = mapped!.Fields;
        using var document = JsonDocument.Parse(bytes);
        var expected = Map.Map(document.RootElement, "test");
        Assert.That(mapped.Text, Is.EqualTo(Map.TextFrom(expected)));
        Assert.That(fields.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, value) in expected)
        {
            Assert.That(fields[name].GetRawText(), Is.EqualTo(value.GetRawText()), name);
        }
    }

    [TestCase("""  {"choices":[],"a":{"b":[0,{"c":[1,{"x":"y"}]}]},"we.ird":true}  """)]
    [TestCase("""[1,2,3]""")]
    [TestCase("""{"usage":null,"second":null}""")]
    [TestCase("{}")]
    public void TryMap_DeclinesABodyWithoutTheTextItem_SoTheRunnerSaysSo(string body)
    {
        Assert.That(new ResponseReader(Map, ErrorMap.Default).TryMap(Encoding.UTF8.GetBytes(body), "test", out _), Is.False);
    }

    [TestCase("not json")]
    [TestCase("""{"a":1} trailing""")]
    [TestCase("""{"a":""")]
    public void TryMap_DeclinesWhatIsNotOneJsonValue(string body)
    {
        Assert.That(new ResponseReader(Map, ErrorMap.Default).TryMap(Encoding.UTF8.GetBytes(body), "test", out _), Is.False);
    }

    [Test]
    public void TryMap_DeclinesANegativeIndex_AndAnInBandError_SoTheDocumentPathHandlesThem()
    {
        var negative = new ResponseMap([new ResponseField("last", [KeyPath.Parse("items[-1]")], null)]);
        Assert.That(new ResponseReader(negative, ErrorMap.Default).TryMap("""{"items":[1,2]}"""u8.ToArray(), "test", out _), Is.False);

        var error = new ErrorMap([KeyPath.Parse("base_resp.status_msg")], [KeyPath.Parse("base_resp.status_code")], [JsonValues.Parse("0"u8)], explicitlyDefined: true);
        var reader = new ResponseReader(new ResponseMap([new ResponseField("text", [KeyPath.Parse("reply")], null)]), error);
        Assert.That(reader.TryMap("""{"reply":"","base_resp":{"status_code":1004,"status_msg":"auth failed"}}"""u8.ToArray(), "test", out _), Is.False);
        Assert.That(reader.TryMap("""{"reply":"hi","base_resp":{"status_code":0,"status_msg":"success"}}"""u8.ToArray(), "test", out var ok), Is.True);
        Assert.That(ok!.Text, Is.EqualTo("hi"));
        Assert.That(ok.Fields["text"].GetString(), Is.EqualTo("hi"));
    }

    [Test]
    public void TryMap_ReadsNestingDeeperThanAStreamChunkMay()
    {
        // Documents allowed 128 levels for whole responses; the one-pass reader must too.
        var body = new string('[', 100) + new string(']', 100);
        var map = new ResponseMap([new ResponseField("x", [KeyPath.Parse("x")], null)]);
        Assert.That(new ResponseReader(map, ErrorMap.Default).TryMap(Encoding.UTF8.GetBytes(body), "test", out var mapped), Is.True);
        Assert.That(mapped!.Fields["x"].ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void TryMap_MakesTheItemsOnFirstUse_OnceForEveryReader()
    {
        // The text at once; the items, usage and finish reason when asked, the same dictionary for every thread.
        var map = new ResponseMap(
        [
            new ResponseField("content", [KeyPath.Parse("choices[0].message.content")], null),
            new ResponseField("finish_reason", [KeyPath.Parse("choices[0].finish_reason")], null),
            new ResponseField("usage", [KeyPath.Parse("usage")], null),
            new ResponseField("model", [KeyPath.Parse("model")], null),
        ]);
        var body = """{"model":"m1","choices":[{"message":{"content":"a\"b 😀"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}"""u8.ToArray();
        Assert.That(new ResponseReader(map, ErrorMap.Default).TryMap(body, "test", out var mapped), Is.True);
        var response = new LlmResponse(mapped!, 200);
        Assert.That(response.Text, Is.EqualTo("a\"b 😀"));

        var seen = new IReadOnlyDictionary<string, JsonElement>[8];
        Parallel.For(0, seen.Length, i => seen[i] = response.Fields);
        Assert.That(seen, Has.All.SameAs(seen[0]));
        Assert.That(response.GetString("model"), Is.EqualTo("m1"));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(2, 3, 5)));
        Assert.That(response.Fields["content"].GetString(), Is.EqualTo("a\"b 😀"));
    }

    [Test]
    public void TryMap_WithAConverter_OrATextThatIsNoString_MakesTheItemsAtOnce()
    {
        // A converter's errors belong to the call; a text that is an array of pieces follows TextOf's rules.
        var converter = LlmConverter.Create("fail", (JsonElement _) => throw new FormatException("no"));
        var withConverter = new ResponseMap([new ResponseField("content", [KeyPath.Parse("c")], converter)]);
        Assert.Throws<LlmException>(() => new ResponseReader(withConverter, ErrorMap.Default).TryMap("""{"c":"x"}"""u8.ToArray(), "test", out _));

        var pieces = new ResponseMap([new ResponseField("content", [KeyPath.Parse("c")], null)]);
        Assert.That(new ResponseReader(pieces, ErrorMap.Default).TryMap("""{"c":["a","b"]}"""u8.ToArray(), "test", out var mapped), Is.True);
        Assert.That(mapped!.Text, Is.EqualTo("ab"));
    }

    [Test]
    public void TryMap_AConverterWithNoValueInTheBody_LeavesTheItemsLazy_AndOneWithAValueStillFailsTheCall()
    {
        // The usual sync answer has no tool calls: their converter has nothing to convert, so the items wait for first
        // use (the text alone pays for no element); an answer that has the value still converts it, and fails, at once.
        var converter = LlmConverter.Create("fail", (JsonElement _) => throw new FormatException("no"));
        var map = new ResponseMap(
        [
            new ResponseField("content", [KeyPath.Parse("c")], null),
            new ResponseField("calls", [KeyPath.Parse("calls")], converter),
        ]);
        var reader = new ResponseReader(map, ErrorMap.Default);

        foreach (var body in new[] { """{"c":"hi"}""", """{"c":"hi","calls":null}""" })
        {
            Assert.That(reader.TryMap(Encoding.UTF8.GetBytes(body), "test", out var mapped), Is.True, body);
            Assert.That(mapped!.Text, Is.EqualTo("hi"));
            Assert.That(mapped.Fields["calls"].ValueKind, Is.EqualTo(JsonValueKind.Null), body);
            Assert.That(mapped.Fields["content"].GetString(), Is.EqualTo("hi"));
        }

        var e = Assert.Throws<LlmException>(() => reader.TryMap("""{"c":"hi","calls":[1]}"""u8.ToArray(), "test", out _));
        Assert.That(e!.Message, Does.Contain("calls"));
    }

    [Test]
    public void TryMap_AnAnswerWithoutToolCalls_AllocatesNoDocumentAndNoDictionary()
    {
        // The shipped openai chat_sync maps tool calls: an answer without them must still take the lazy path, where the
        // text alone is made (no JsonDocument, no dictionary of items until Fields is read).
        var plan = LlmCatalog.BuiltIn.GetAdapter("openai").Calls["chat_sync"];
        var reader = new ResponseReader(plan.Response, plan.Error);
        var body = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""u8.ToArray();
        Assert.That(reader.TryMap(body, "test", out _), Is.True); // warm-up

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(reader.TryMap(body, "test", out var mapped), Is.True);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(mapped!.Text, Is.EqualTo("hi"));
        Assert.That(allocated, Is.LessThan(800), "bytes allocated to map the answer (about 480 on the lazy path, 1,400 with a document and a dictionary)");
        Assert.That(mapped.FinishReason, Is.EqualTo("stop"));
        Assert.That(mapped.Fields["tool_calls"].ValueKind, Is.EqualTo(JsonValueKind.Null));
    }
}
