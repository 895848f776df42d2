using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A string that is exactly one variable: <c>"${var}"</c>, <c>"${var:-default}"</c> or <c>"${var?}"</c>. Inserts the variable's JSON value unchanged.</summary>
internal sealed class VariableTemplate(string name, LiteralTemplate? defaultValue, bool optional, TemplateSite site) : Template(site)
{
    public string Name { get; } = name;

    public bool Optional { get; } = optional;

    public override bool IsPresent(VariableScope scope) => !Optional || scope.TryGet(Name, out _);

    public override void Write(Utf8JsonWriter writer, VariableScope scope)
    {
        if (!scope.TryWrite(Name, writer))
        {
            Evaluate(scope).WriteTo(writer);
        }
    }

    public override string GetText(VariableScope scope, Func<string, string>? escape = null)
    {
        var text = Internal.JsonValues.ToText(Evaluate(scope));
        return escape is null ? text : escape(text);
    }

    public override JsonElement Evaluate(VariableScope scope)
    {
        if (scope.TryGet(Name, out var value))
        {
            return value;
        }

        if (defaultValue is not null)
        {
            return defaultValue.Value;
        }

        return Optional ? Internal.JsonValues.Null : throw Missing(Name);
    }

    public override IEnumerable<string> VariableNames => [Name];

    public override IEnumerable<string> RequiredVariableNames => Optional || defaultValue is not null ? [] : [Name];
}
