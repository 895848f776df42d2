using System.Text.Json;
using LlmAdapters.Conversion;
using LlmAdapters.Internal;

namespace LlmAdapters.Tests.Conversion;

public class JoinConverterTests
{
    private static JsonElement Parse(string json) => JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(json));

    private static ILlmConverter Bound(string separatorJson)
    {
        Assert.That(JoinConverter.Default.TryBind(Parse(separatorJson), out var bound, out var error), Is.True, error);
        return bound!;
    }

    [TestCase("\", \"", """["a","b","c"]""", "a, b, c")]
    [TestCase("\"\"", """["a","b"]""", "ab")]
    [TestCase("\" | \"", """["x",1,2.5,true,null,"y"]""", "x | 1 | 2.5 | true | y")]
    [TestCase("\", \"", "[]", "")]
    [TestCase("\", \"", """["你好","😀"]""", "你好, 😀")]
    public void Join_JoinsElementsWithTheSeparator(string separator, string list, string expected)
    {
        Assert.That(Bound(separator).Convert(Parse(list)).GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void Join_WithoutArgs_JoinsWithLineFeeds()
    {
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet("join", out var join), Is.True);
        Assert.That(join!.Convert(Parse("""["a","b"]""")).GetString(), Is.EqualTo("a\nb"));
    }

    [TestCase("\"single\"", JsonValueKind.String)]
    [TestCase("null", JsonValueKind.Null)]
    public void Join_PassesAStringAndNullUnchanged(string json, JsonValueKind kind)
    {
        var result = Bound("\",\"").Convert(Parse(json));
        Assert.That(result.ValueKind, Is.EqualTo(kind));
        Assert.That(result.GetRawText(), Is.EqualTo(json));
    }

    [TestCase("""[{"id":"a"}]""", "an element is a JSON object")]
    [TestCase("""[["a"]]""", "an element is a JSON array")]
    [TestCase("""{"a":1}""", "not a JSON object")]
    [TestCase("12", "not a JSON number")]
    public void Join_RejectsWhatHasNoText(string json, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Bound("\",\"").Convert(Parse(json)))!;
        Assert.That(e.Message, Does.Contain(reason));
    }

    [TestCase("1")]
    [TestCase("[\",\"]")]
    [TestCase("null")]
    public void Bind_RejectsASeparatorThatIsNotAString(string args)
    {
        Assert.That(JoinConverter.Default.TryBind(Parse(args), out _, out var error), Is.False);
        Assert.That(error, Does.Contain("separator as a string"));
    }
}
