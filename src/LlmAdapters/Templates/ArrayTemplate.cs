using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A JSON array whose elements are templates; an element that is an absent <c>${var?}</c> is left out.</summary>
internal sealed class ArrayTemplate(IReadOnlyList<Template> items, TemplateSite site) : Template(site)
{
    /// <summary>An array whose every element is absent is absent itself (an optional list such as <c>["${stop?}"]</c>).</summary>
    public override bool IsPresent(VariableScope scope)
    {
        foreach (var item in items)
        {
            if (item.IsPresent(scope))
            {
                return true;
            }
        }

        return items.Count == 0;
    }

    public override void Write(Utf8JsonWriter writer, VariableScope scope)
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            if (item.IsPresent(scope))
            {
                item.Write(writer, scope);
            }
        }

        writer.WriteEndArray();
    }

    public override string GetText(VariableScope scope, Func<string, string>? escape = null) => Evaluate(scope).GetRawText();

    public override IEnumerable<string> VariableNames => NamesOf(items, requiredOnly: false);

    public override IEnumerable<string> RequiredVariableNames => NamesOf(items, requiredOnly: true);
}
