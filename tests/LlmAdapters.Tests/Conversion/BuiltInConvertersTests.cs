using System.Text.Json;
using LlmAdapters.Conversion;
using LlmAdapters.Internal;

namespace LlmAdapters.Tests.Conversion;

public class BuiltInConvertersTests
{
    private static string Convert(string converter, string json)
    {
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet(converter, out var c), Is.True);
        return c!.Convert(JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(json))).GetRawText();
    }

    [TestCase("string", "12", "\"12\"")]
    [TestCase("string", "\"a\"", "\"a\"")]
    [TestCase("string", "{\"a\":1}", "\"{\\u0022a\\u0022:1}\"")]
    [TestCase("string", "null", "null")]
    [TestCase("int", "\"42\"", "42")]
    [TestCase("int", "3.9", "3")]
    [TestCase("int", "\" -7 \"", "-7")]
    [TestCase("int", "true", "1")]
    [TestCase("float", "\"0.7\"", "0.7")]
    [TestCase("float", "2", "2")]
    [TestCase("bool", "\"yes\"", "true")]
    [TestCase("bool", "\"0\"", "false")]
    [TestCase("bool", "0", "false")]
    [TestCase("json_string", "{\"a\":[1,2]}", "\"{\\u0022a\\u0022:[1,2]}\"")]
    [TestCase("json_string", "\"x\"", "\"\\u0022x\\u0022\"")]
    [TestCase("json", "\"{\\\"a\\\":1}\"", "{\"a\":1}")]
    [TestCase("base64", "\"你好\"", "\"5L2g5aW9\"")]
    [TestCase("base64", "{\"data\":\"AAEC\",\"mime_type\":\"image/png\"}", "\"AAEC\"")]
    [TestCase("data_url", "{\"data\":\"AAEC\",\"mime_type\":\"image/png\"}", "\"data:image/png;base64,AAEC\"")]
    [TestCase("data_url", "{\"url\":\"https://x/y.png\"}", "\"https://x/y.png\"")]
    [TestCase("data_url", "[{\"data\":\"AA==\",\"mime_type\":\"image/jpeg\"},{\"url\":\"https://u\"}]", "[\"data:image/jpeg;base64,AA==\",\"https://u\"]")]
    public void Converts(string converter, string input, string expected)
    {
        // Compared as JSON: how a quote inside a string is escaped does not matter.
        TestSupport.Json.AssertEqual(expected, Convert(converter, input));
    }

    [Test]
    public void MessagesToPrompt_JoinsRoleAndContentPerLine()
    {
        var result = Convert("messages_to_prompt", """[{"role":"system","content":"be brief"},{"role":"user","content":"你好"}]""");
        Assert.That(JsonDocument.Parse(result).RootElement.GetString(), Is.EqualTo("system: be brief\nuser: 你好"));
    }

    [Test]
    public void MiniMaxMessages_MapsRolesAndDropsSystem()
    {
        var result = Convert("minimax_messages", """[{"role":"system","content":"s"},{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]""");
        TestSupport.Json.AssertEqual("""[{"sender_type":"USER","sender_name":"用户","text":"hi"},{"sender_type":"BOT","sender_name":"MM助手","text":"yo"}]""", result);
    }

    [TestCase(
        """[{"role":"system","content":"be brief"},{"role":"user","content":"hi","name":"u"},{"role":"assistant","content":"yo"},{"role":"user","content":"more"}]""",
        """[{"role":"user","content":"be brief\n\nhi","name":"u"},{"role":"assistant","content":"yo"},{"role":"user","content":"more"}]""")]
    [TestCase(
        """[{"role":"system","content":"a"},{"role":"system","content":"b"},{"role":"assistant","content":"yo"}]""",
        """[{"role":"user","content":"a\n\nb"},{"role":"assistant","content":"yo"}]""")]
    [TestCase("""[{"role":"user","content":"hi"}]""", """[{"role":"user","content":"hi"}]""")]
    [TestCase("null", "null")]
    public void SystemToUser_FoldsTheSystemPromptIntoTheFirstUserMessage(string input, string expected)
    {
        TestSupport.Json.AssertEqual(expected, Convert("system_to_user", input));
    }

    [Test]
    public void SystemToUser_RejectsContentItCannotPrefix()
    {
        Assert.That(
            () => Convert("system_to_user", """[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]}]"""),
            Throws.TypeOf<FormatException>().With.Message.Contains("first user message's text"));
    }

    [TestCase("int", "\"abc\"", "not an integer")]
    [TestCase("float", "\"x\"", "not a number")]
    [TestCase("bool", "\"maybe\"", "not a boolean")]
    [TestCase("json", "\"{oops\"", "not valid JSON")]
    [TestCase("data_url", "{\"x\":1}", "data_url takes")]
    public void InvalidInput_ThrowsFormatException(string converter, string input, string expected)
    {
        Assert.That(() => Convert(converter, input), Throws.TypeOf<FormatException>().With.Message.Contains(expected));
    }

    [Test]
    public void EveryListedName_MakesAConverterOfThatName_OnceForAllLookups()
    {
        // The built-ins are made on first lookup from a list of names: each listed name must make its converter, and keep it.
        var names = ConverterRegistry.BuiltInOnly.Names.ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.Count.GreaterThan(30));
        foreach (var name in names)
        {
            Assert.That(ConverterRegistry.BuiltInOnly.TryGet(name, out var first), Is.True, name);
            Assert.That(first!.Name, Is.EqualTo(name));
            Assert.That(new ConverterRegistry([]).TryGet(name, out var again), Is.True, name);
            Assert.That(again, Is.SameAs(first), $"{name} is made once");
        }

        Assert.That(ConverterRegistry.BuiltInOnly.TryGet("no_such_converter", out var none), Is.False);
        Assert.That(none, Is.Null);
    }

    [Test]
    public void UserConverter_ReplacesBuiltIn()
    {
        var registry = new ConverterRegistry([LlmConverter.Create("int", (string s) => "custom")]);
        Assert.That(registry.TryGet("int", out var c), Is.True);
        Assert.That(c!.Convert(LlmConverter.ToElement("1")).GetString(), Is.EqualTo("custom"));
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet("int", out var builtIn) && builtIn != c, Is.True, "other registries keep the built-in");
    }

    [Test]
    public void Names_ListEachNameOnce_BuiltInsFirst()
    {
        var registry = new ConverterRegistry([LlmConverter.Create("int", (string s) => s), LlmConverter.Create("mine", (string s) => s)])
            .With([LlmConverter.Create("local", (string s) => s), LlmConverter.Create("mine", (string s) => s + "!")]);
        var names = registry.Names.ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names.Take(ConverterRegistry.BuiltInOnly.Names.Count()), Is.EqualTo(ConverterRegistry.BuiltInOnly.Names));
        Assert.That(names.Skip(ConverterRegistry.BuiltInOnly.Names.Count()), Is.EqualTo(new[] { "mine", "local" }));
        Assert.That(registry.TryGet("mine", out var mine) && mine!.Convert(LlmConverter.ToElement("a")).GetString() == "a!", Is.True, "a file's own converter wins");
    }
}
