using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A constant JSON value with no variables in it.</summary>
/// <remarks>
/// A literal compiled from text (a path, or a string with only <c>$${</c> escapes) keeps the text and makes its JSON
/// string on first use: most such literals are paths, read only as text, and making a JSON value at load cost a cold
/// start the JSON writer's and encoder's first use. Thread-safe: threads that race make equal values.
/// </remarks>
internal sealed class LiteralTemplate : Template
{
    private readonly string _text;

    // The value, boxed so that it is published whole; null until first asked for when made from text.
    private object? _value;

    public LiteralTemplate(JsonElement value, TemplateSite site)
        : base(site)
    {
        _value = value;
        _text = Internal.JsonValues.ToText(value);
    }

    /// <summary>The JSON string <paramref name="text"/>.</summary>
    public LiteralTemplate(string text, TemplateSite site)
        : base(site) => _text = text;

    public JsonElement Value => (JsonElement)(Volatile.Read(ref _value) ?? MakeValue());

    public override void Write(Utf8JsonWriter writer, VariableScope scope) => Value.WriteTo(writer);

    public override string GetText(VariableScope scope, Func<string, string>? escape = null) => _text;

    public override JsonElement Evaluate(VariableScope scope) => Value;

    public override IEnumerable<string> VariableNames => [];

    private object MakeValue()
    {
        object value = Internal.JsonValues.String(_text);
        Volatile.Write(ref _value, value);
        return value;
    }
}
