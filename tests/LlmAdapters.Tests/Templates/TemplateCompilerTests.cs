using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmAdapters.Definitions;
using LlmAdapters.Internal;
using LlmAdapters.Templates;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Templates;

public class TemplateCompilerTests
{
    private static readonly TemplateSite Site = new("data item 'x' of call 'chat' of adapter 'test'", new SourceLocation("test.json", "$.chat.data[0]", 7));

    private static Template Compile(string json)
    {
        var errors = new List<string>();
        var template = TemplateCompiler.Compile(JsonDocument.Parse(json).RootElement, Site, errors);
        Assert.That(errors, Is.Empty);
        return template;
    }

    private static VariableScope Scope(string json)
    {
        var vars = JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        return new VariableScope(SecretRedactor.None, vars);
    }

    private static string Write(Template template, VariableScope scope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            template.Write(writer, scope);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Test]
    public void WholeVariable_InsertsJsonValueUnchanged()
    {
        var scope = Scope("""{"messages":[{"role":"user","content":"hi"}],"n":3,"b":false}""");
        Json.AssertEqual("""[{"role":"user","content":"hi"}]""", Write(Compile("\"${messages}\""), scope));
        Assert.That(Write(Compile("\"${n}\""), scope), Is.EqualTo("3"));
        Assert.That(Write(Compile("\"${b}\""), scope), Is.EqualTo("false"));
    }

    [Test]
    public void VariableInsideString_IsInterpolatedAsText()
    {
        var scope = Scope("""{"apikey":"sk-1","n":3,"o":{"a":1}}""");
        Assert.That(Compile("\"Bearer ${apikey}\"").GetText(scope), Is.EqualTo("Bearer sk-1"));
        Assert.That(Write(Compile("\"n=${n}, o=${o}\""), scope), Is.EqualTo("\"n=3, o={\\u0022a\\u0022:1}\""));
    }

    [Test]
    public void NestedObjectsAndArrays_AreFilledRecursively()
    {
        var scope = Scope("""{"name":"bot","model":"m1","t":0.5}""");
        var template = Compile("""{"bots":[{"bot_name":"${name}","model":"${model}"}],"t":"${t}","fixed":[1,2]}""");
        Json.AssertEqual("""{"bots":[{"bot_name":"bot","model":"m1"}],"t":0.5,"fixed":[1,2]}""", Write(template, scope));
    }

    [Test]
    public void Default_IsUsedWhenVariableMissing_AndNumbersStayNumbers()
    {
        var scope = Scope("{}");
        Assert.That(Write(Compile("\"${max:-1024}\""), scope), Is.EqualTo("1024"));
        Assert.That(Write(Compile("\"${flag:-true}\""), scope), Is.EqualTo("true"));
        Assert.That(Write(Compile("\"${model:-abab6.5s-chat}\""), scope), Is.EqualTo("\"abab6.5s-chat\""));
        Assert.That(Compile("\"Bearer ${key:-none}\"").GetText(scope), Is.EqualTo("Bearer none"));
        Assert.That(Write(Compile("\"${max:-1024}\""), Scope("""{"max":5}""")), Is.EqualTo("5"));
    }

    /// <summary>A default becomes a JSON number exactly when it is one JSON number; anything else number-like stays text.</summary>
    [TestCase("0", "0")]
    [TestCase("-0.5", "-0.5")]
    [TestCase("1e5", "1e5")]
    [TestCase("1E+5", "1E+5")]
    [TestCase("2.5e-3", "2.5e-3")]
    [TestCase("1e999", "1e999")]
    [TestCase(" 42 ", "42")]
    [TestCase("1.", "\"1.\"")]
    [TestCase(".5", "\".5\"")]
    [TestCase("01", "\"01\"")]
    [TestCase("+1", "\"\\u002B1\"")] // text; the writer escapes +
    [TestCase("-", "\"-\"")]
    [TestCase("1e", "\"1e\"")]
    [TestCase("1.5.2", "\"1.5.2\"")]
    [TestCase("-Infinity", "\"-Infinity\"")]
    [TestCase("NaN", "\"NaN\"")]
    [TestCase("0x10", "\"0x10\"")]
    [TestCase("1,5", "\"1,5\"")]
    [TestCase("null", "null")]
    public void Default_BecomesANumberOnlyWhenItIsAJsonNumber(string text, string expected)
    {
        Assert.That(Write(Compile($"\"${{v:-{text}}}\""), Scope("{}")), Is.EqualTo(expected));
    }

    [Test]
    public void Optional_OmitsObjectKeysAndArrayElements()
    {
        var template = Compile("""{"a":"${a?}","b":"${b?}","list":["${a?}","${b?}"],"s":"x${b?}y"}""");
        Json.AssertEqual("""{"a":1,"list":[1],"s":"xy"}""", Write(template, Scope("""{"a":1}""")));
    }

    [Test]
    public void ObjectsAndArraysWhoseMembersAreAllAbsent_AreAbsentThemselves()
    {
        var template = Compile("""{"system":{"parts":[{"text":"${system?}"}]},"stop":["${stop?}"],"keep":{"a":"${a?}","fixed":1}}""");
        Json.AssertEqual("""{"keep":{"fixed":1}}""", Write(template, Scope("{}")));
        Json.AssertEqual("""{"system":{"parts":[{"text":"s"}]},"keep":{"fixed":1}}""", Write(template, Scope("""{"system":"s"}""")));
    }

    [Test]
    public void Optional_WholeValueReportsAbsent()
    {
        var template = Compile("\"${temperature?}\"");
        Assert.That(template.IsPresent(Scope("{}")), Is.False);
        Assert.That(template.IsPresent(Scope("""{"temperature":0.2}""")), Is.True);
        Assert.That(template.IsPresent(Scope("""{"temperature":null}""")), Is.False, "JSON null counts as no value");
    }

    [Test]
    public void DollarDollarBrace_IsALiteral()
    {
        Assert.That(Compile("\"cost: $${price}\"").GetText(Scope("{}")), Is.EqualTo("cost: ${price}"));
        Assert.That(Compile("\"$${a} ${b}\"").GetText(Scope("""{"b":"B"}""")), Is.EqualTo("${a} B"));
    }

    [Test]
    public void MissingRequiredVariable_NamesVariableItemCallAndFile()
    {
        var e = Assert.Throws<LlmRequestException>(() => Compile("\"Bearer ${apikey}\"").GetText(Scope("{}")))!;
        Assert.That(e.Message, Does.Contain("'apikey'").And.Contain("data item 'x'").And.Contain("call 'chat'").And.Contain("test.json, line 7"));
    }

    [Test]
    public void Escape_AppliesToVariableTextOnly()
    {
        var template = TemplateCompiler.CompileString("/models/${model}:generate", null, Site, []);
        Assert.That(template.GetText(Scope("""{"model":"a b/c"}"""), Uri.EscapeDataString), Is.EqualTo("/models/a%20b%2Fc:generate"));
    }

    [TestCase("/v1/a \"b\" <c> é", "/v1/a \"b\" <c> é")]
    [TestCase("/v1/$${x} '\\'", "/v1/${x} '\\'")]
    public void TextLiteral_IsItsJsonString_AsTextValueAndWritten(string source, string text)
    {
        // A literal compiled from text makes its JSON value only when first asked: the same string, escapes and all.
        var scope = Scope("{}");
        var template = TemplateCompiler.CompileString(source, null, Site, []);
        Assert.That(template, Is.TypeOf<LiteralTemplate>());
        Assert.That(template.VariableNames, Is.Empty);
        Assert.That(template.GetText(scope), Is.EqualTo(text));
        Assert.That(template.Evaluate(scope).GetString(), Is.EqualTo(text));
        Assert.That(Write(template, scope), Is.EqualTo(JsonSerializer.Serialize(text)));
    }

    [TestCase("\"${unclosed\"", "no closing")]
    [TestCase("\"${}\"", "name is empty")]
    [TestCase("\"${a b}\"", "has ' '")]
    public void Compile_ReportsSyntaxErrors(string json, string expected)
    {
        var errors = new List<string>();
        TemplateCompiler.Compile(JsonDocument.Parse(json).RootElement, Site, errors);
        Assert.That(errors, Has.Some.Contains(expected));
    }

    [Test]
    public void Compile_RejectsAbsurdNesting()
    {
        var json = string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40));
        var errors = new List<string>();
        TemplateCompiler.Compile(JsonDocument.Parse(json).RootElement, Site, errors);
        Assert.That(errors, Has.Some.Contains("nested more than"));
    }

    [Test]
    public void VariableNames_ListsEveryReference()
    {
        var template = Compile("""{"a":"${x}","b":["${y?}","k ${z:-1}"]}""");
        Assert.That(template.VariableNames, Is.EquivalentTo(new[] { "x", "y", "z" }));
    }
}
