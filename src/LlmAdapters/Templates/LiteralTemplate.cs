using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A constant JSON value with no variables in it.</summary>
internal sealed class LiteralTemplate(JsonElement value, TemplateSite site) : Template(site)
{
    private readonly string _text = Internal.JsonValues.ToText(value);

    public JsonElement Value { get; } = value;

    public override void Write(Utf8JsonWriter writer, VariableScope scope) => Value.WriteTo(writer);

    public override string GetText(VariableScope scope, Func<string, string>? escape = null) => _text;

    public override JsonElement Evaluate(VariableScope scope) => Value;

    public override IEnumerable<string> VariableNames => [];
}
