using System.Text.Json;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

public class ToolCallAccumulatorTests
{
    private static readonly ToolCallPaths OpenAiStream = new(KeyPath.Parse("index"), KeyPath.Parse("id"), KeyPath.Parse("function.name"), KeyPath.Parse("function.arguments"));

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Test]
    public void InterleavedFragments_OfParallelCalls_JoinByIndex()
    {
        var accumulator = new ToolCallAccumulator(OpenAiStream);
        accumulator.Add(J("""[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]"""));
        accumulator.Add(J("""[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{\"tz\":"}}]"""));
        accumulator.Add(J("""[{"index":0,"function":{"arguments":"{\"city\":\"Pa"}}]"""));
        accumulator.Add(J("""[{"index":1,"function":{"arguments":"\"CET\"}"}},{"index":0,"function":{"arguments":"ris\"}"}}]"""));

        var calls = J(accumulator.ToJson().GetRawText());

        Assert.That(calls.GetRawText(), Is.EqualTo("""[{"id":"call_a","name":"get_weather","arguments":{"city":"Paris"}},{"id":"call_b","name":"get_time","arguments":{"tz":"CET"}}]"""));
    }

    [Test]
    public void ArgumentsCutShort_AreAnError_NeverACall()
    {
        var accumulator = new ToolCallAccumulator(OpenAiStream);
        accumulator.Add(J("""[{"index":0,"id":"call_a","function":{"name":"get_weather","arguments":"{\"city\":\"Pa"}}]"""));

        var e = Assert.Throws<FormatException>(() => accumulator.ToJson());
        Assert.That(e!.Message, Does.Contain("get_weather").And.Contain("not valid JSON").And.Contain("{\"city\":\"Pa"));
    }

    [Test]
    public void ArgumentsThatAreNotAnObject_AreAnError()
    {
        var e = Assert.Throws<FormatException>(() => ToolCallAccumulator.Normalize(OpenAiStream, J("""[{"id":"c","function":{"name":"f","arguments":"[1,2]"}}]""")));
        Assert.That(e!.Message, Does.Contain("a JSON array, not the JSON object"));
    }

    [Test]
    public void ACallWithoutAName_IsAnError()
    {
        var e = Assert.Throws<FormatException>(() => ToolCallAccumulator.Normalize(OpenAiStream, J("""[{"index":0,"id":"c","function":{"arguments":"{}"}}]""")));
        Assert.That(e!.Message, Does.Contain("has no name"));
    }

    [Test]
    public void WholeCallsWithoutIdOrIndex_GetIds_AndTextPartsArePassedOver()
    {
        var gemini = new ToolCallPaths(null, KeyPath.Parse("functionCall.id"), KeyPath.Parse("functionCall.name"), KeyPath.Parse("functionCall.args"));

        var calls = ToolCallAccumulator.Normalize(gemini, J("""[{"text":"Let me look."},{"functionCall":{"name":"a","args":{"x":1}}},{"functionCall":{"name":"b","args":{}}}]"""));

        Assert.That(calls.GetRawText(), Is.EqualTo("""[{"id":"call_0","name":"a","arguments":{"x":1}},{"id":"call_1","name":"b","arguments":{}}]"""));
    }

    [Test]
    public void NoCall_IsJsonNull()
        => Assert.That(ToolCallAccumulator.Normalize(OpenAiStream, J("""[{"type":"text","text":"hi"}]""")).ValueKind, Is.EqualTo(JsonValueKind.Null));

    [Test]
    public void EmptyArguments_AreAnEmptyObject()
        => Assert.That(ToolCallAccumulator.Normalize(OpenAiStream, J("""[{"index":0,"id":"c","function":{"name":"now","arguments":""}}]""")).GetRawText(), Is.EqualTo("""[{"id":"c","name":"now","arguments":{}}]"""));

    [Test]
    public void JoinedArguments_AreBoundedByTheLimit()
    {
        var accumulator = new ToolCallAccumulator(OpenAiStream, maxArgumentChars: 10);
        accumulator.Add(J("""[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"a\":"}}]"""));

        var e = Assert.Throws<FormatException>(() => accumulator.Add(J("""[{"index":0,"function":{"arguments":"\"0123456789\"}"}}]""")));
        Assert.That(e!.Message, Does.Contain("MaxResponseBytes"));
    }
}
