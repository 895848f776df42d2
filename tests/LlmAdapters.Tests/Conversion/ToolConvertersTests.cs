using LlmAdapters.Conversion;
using LlmAdapters.Internal;

namespace LlmAdapters.Tests.Conversion;

public class ToolConvertersTests
{
    private static string Convert(string converter, string json)
    {
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet(converter, out var c), Is.True, $"converter '{converter}' is registered");
        return c!.Convert(JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(json))).GetRawText();
    }

    [Test]
    public void DashScopeParameters_PutsToolsAndANamedChoiceInOpenAisShape_AndKeepsTheOtherMembersInOrder()
    {
        TestSupport.Json.AssertEqual("""
            {
              "result_format": "message",
              "tools": [ { "type": "function", "function": { "name": "get_current_weather", "description": "获取现在的天气",
                "parameters": { "type": "object", "properties": { "location": { "type": "string" } }, "required": ["location"] } } } ],
              "tool_choice": { "type": "function", "function": { "name": "get_current_weather" } },
              "parallel_tool_calls": true
            }
            """, Convert("dashscope_parameters", """
            {
              "result_format": "message",
              "tools": [ { "name": "get_current_weather", "description": "获取现在的天气",
                "parameters": { "type": "object", "properties": { "location": { "type": "string" } }, "required": ["location"] } } ],
              "tool_choice": { "name": "get_current_weather" },
              "parallel_tool_calls": true
            }
            """));
    }

    [TestCase("\"none\"")]
    [TestCase("\"auto\"")]
    public void DashScopeParameters_SendsNoneAndAutoAsTheyAre(string choice)
    {
        TestSupport.Json.AssertEqual($$"""{ "result_format": "message", "tool_choice": {{choice}} }""",
            Convert("dashscope_parameters", $$"""{ "result_format": "message", "tool_choice": {{choice}} }"""));
    }

    [Test]
    public void DashScopeParameters_WithoutToolsOrChoice_IsUnchanged()
    {
        TestSupport.Json.AssertEqual("""{ "result_format": "message", "incremental_output": true }""",
            Convert("dashscope_parameters", """{ "result_format": "message", "incremental_output": true }"""));
    }

    [Test]
    public void DashScopeParameters_RequiredChoice_IsAFormatExceptionThatSaysSo()
    {
        var e = Assert.Throws<FormatException>(() => Convert("dashscope_parameters", """{ "tool_choice": "required" }"""));
        Assert.That(e!.Message, Does.Contain("dashscope_parameters").And.Contain("required"));
    }

    [Test]
    public void DashScopeParameters_NotAnObject_IsAFormatException()
    {
        var e = Assert.Throws<FormatException>(() => Convert("dashscope_parameters", """[1]"""));
        Assert.That(e!.Message, Does.Contain("parameters object").And.Contain("array"));
    }
}
