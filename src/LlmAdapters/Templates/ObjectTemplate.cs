using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A JSON object whose values are templates; a key whose value is an absent <c>${var?}</c> is left out.</summary>
internal sealed class ObjectTemplate(IReadOnlyList<KeyValuePair<string, Template>> members, TemplateSite site) : Template(site)
{
    /// <summary>An object whose every member is an absent optional is absent itself, so <c>{"parts":[{"text":"${system?}"}]}</c> leaves nothing behind.</summary>
    public override bool IsPresent(VariableScope scope)
    {
        foreach (var (_, value) in members)
        {
            if (value.IsPresent(scope))
            {
                return true;
            }
        }

        return members.Count == 0;
    }

    public override void Write(Utf8JsonWriter writer, VariableScope scope)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in members)
        {
            if (value.IsPresent(scope))
            {
                writer.WritePropertyName(key);
                value.Write(writer, scope);
            }
        }

        writer.WriteEndObject();
    }

    public override string GetText(VariableScope scope, Func<string, string>? escape = null) => Evaluate(scope).GetRawText();

    public override IEnumerable<string> VariableNames => members.SelectMany(m => m.Value.VariableNames);

    public override IEnumerable<string> RequiredVariableNames => members.SelectMany(m => m.Value.RequiredVariableNames);
}
