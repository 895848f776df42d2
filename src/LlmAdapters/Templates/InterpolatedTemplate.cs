using System.Text;
using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A string with variables inside, such as <c>"Bearer ${apikey}"</c>: each variable's text is pasted in.</summary>
internal sealed class InterpolatedTemplate(InterpolatedTemplate.Part[] parts, TemplateSite site) : Template(site)
{
    /// <summary>Literal text (<see cref="Variable"/> null) or a variable reference.</summary>
    /// <remarks>A class, not a struct: collections of it then share the framework's precompiled code (cold start).</remarks>
    internal sealed record Part(string Text, string? Variable, string? Default, bool Optional);

    public override void Write(Utf8JsonWriter writer, VariableScope scope) => writer.WriteStringValue(GetText(scope));

    public override string GetText(VariableScope scope, Func<string, string>? escape = null)
    {
        var sb = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.Variable is null)
            {
                sb.Append(part.Text);
                continue;
            }

            string text;
            if (scope.TryGet(part.Variable, out var value))
            {
                text = Internal.JsonValues.ToText(value);
            }
            else if (part.Default is not null)
            {
                text = part.Default;
            }
            else if (part.Optional)
            {
                continue;
            }
            else
            {
                throw Missing(part.Variable);
            }

            sb.Append(escape is null ? text : escape(text));
        }

        return sb.ToString();
    }

    /// <summary>True when every variable of the string is optional and none has a value: a header such as <c>"Bearer ${apikey?}"</c> is then left out rather than sent half-filled.</summary>
    public bool AllOptionalMissing(VariableScope scope)
    {
        var any = false;
        foreach (var part in parts)
        {
            if (part.Variable is null)
            {
                continue;
            }

            if (!part.Optional || part.Default is not null || scope.TryGet(part.Variable, out _))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    public override IEnumerable<string> VariableNames => Variables(requiredOnly: false);

    public override IEnumerable<string> RequiredVariableNames => Variables(requiredOnly: true);

    private List<string> Variables(bool requiredOnly)
    {
        var names = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Variable is not null && (!requiredOnly || (!part.Optional && part.Default is null)))
            {
                names.Add(part.Variable);
            }
        }

        return names;
    }
}
