using System.Text.Json.Nodes;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>JSON comparison after normalising (key order, whitespace and escapes do not matter).</summary>
internal static class Json
{
    public static void AssertEqual(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.That(JsonNode.DeepEquals(e, a), Is.True, $"JSON differs.{Environment.NewLine}Expected: {e?.ToJsonString()}{Environment.NewLine}Actual:   {a?.ToJsonString()}");
    }
}
