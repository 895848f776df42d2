using System.Text;
using System.Text.Json;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>
/// MayHoldCall lets a stream pass over its text chunks without reading them for tool calls; it may say "maybe" wrongly,
/// never "no" wrongly. Differential: generated and mutated values, each read by the accumulator.
/// </summary>
public class ToolCallPathsTests
{
    private static readonly ToolCallPaths Anthropic = new(KeyPath.Parse("index"), KeyPath.Parse("content_block.id"), KeyPath.Parse("content_block.name"), KeyPath.Parse("delta.partial_json"));
    private static readonly ToolCallPaths Gemini = new(null, KeyPath.Parse("functionCall.id"), KeyPath.Parse("functionCall.name"), KeyPath.Parse("functionCall.args"));
    private static readonly ToolCallPaths OpenAi = new(KeyPath.Parse("index"), KeyPath.Parse("id"), KeyPath.Parse("function.name"), KeyPath.Parse("function.arguments"));
    private static readonly ToolCallPaths NonAsciiKeys = new(null, null, KeyPath.Parse("名前"), KeyPath.Parse("引数"));

    private static readonly string[] Keys = ["text", "index", "id", "name", "args", "partial_json", "arguments", "function", "functionCall", "content_block", "delta", "type", "n\\u0061me", "\\u0069d", "partial\\u005fjson",
        "\\u006E\\u0061\\u006De", "\\u0049D", "\\u0078y", "名前", "引数", "\\u540d\\u524d", "\\u5f15数", "\\u4f60"];
    private static readonly string[] Strings = ["hi", "name", "\\\"name\\\"", "id", "你好", "\\\\u0041", "partial_json", "", "\\u4f60\\u597d", "\\u0022q\\u0022\\n", "\\u006e\\u0061me", "\\ud83d\\ude00"];

    [Test]
    public void A_value_it_passes_over_holds_no_piece_of_a_call()
    {
        var random = new Random(20261206);
        var passedOver = 0;
        foreach (var paths in new[] { Anthropic, Gemini, OpenAi, NonAsciiKeys })
        {
            for (var i = 0; i < 6_000; i++)
            {
                var json = Value(random, 0);
                var bytes = Encoding.UTF8.GetBytes(json);
                if (paths.MayHoldCall(bytes))
                {
                    continue;
                }

                passedOver++;
                var accumulator = new ToolCallAccumulator(paths);
                accumulator.Add(JsonDocument.Parse(bytes).RootElement);
                Assert.That(accumulator.IsEmpty, Is.True, json);
            }
        }

        Assert.That(passedOver, Is.GreaterThan(2_000), "the generator makes values without calls");
    }

    [Test]
    public void The_usual_text_chunks_are_passed_over_and_the_call_chunks_are_not()
    {
        Assert.That(Anthropic.MayHoldCall("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello \"name\""}}"""u8), Is.False);
        Assert.That(Anthropic.MayHoldCall("""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"""u8), Is.True);
        Assert.That(Anthropic.MayHoldCall("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}"""u8), Is.True);
        Assert.That(Gemini.MayHoldCall("""[{"text":"你好"}]"""u8), Is.False);
        Assert.That(Gemini.MayHoldCall("""[{"functionCall":{"name":"f","args":{}}}]"""u8), Is.True);
        Assert.That(Gemini.MayHoldCall("""[{"functionCall":{"n\u0061me":"f"}}]"""u8), Is.True, "an escaped key may spell a name");
        Assert.That(Anthropic.MayHoldCall("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u4f60\u597d \u0022q\u0022\n"}}"""u8), Is.False, "escaped text spells no key");
        Assert.That(NonAsciiKeys.MayHoldCall("""{"\u540d\u524d":"f"}"""u8), Is.True, "an escape of a non-ASCII key's character");
    }

    private static string Value(Random random, int depth)
    {
        switch (random.Next(depth > 3 ? 2 : 4))
        {
            case 0:
                return "\"" + Strings[random.Next(Strings.Length)] + "\"";
            case 1:
                return random.Next(3) switch { 0 => "1", 1 => "null", _ => "true" };
            case 2:
                return "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, depth + 1))) + "]";
            default:
                return "{" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => "\"" + Keys[random.Next(Keys.Length)] + "\":" + Value(random, depth + 1))) + "}";
        }
    }
}
