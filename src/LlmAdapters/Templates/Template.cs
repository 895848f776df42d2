using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A compiled definition value: a constant, a <c>${var}</c>, a string with <c>${var}</c> inside, or an object or array of these.</summary>
/// <remarks>Immutable and thread-safe; compiled once per plan, filled once per call.</remarks>
internal abstract class Template
{
    protected Template(TemplateSite site) => Site = site;

    public TemplateSite Site { get; }

    /// <summary>False when the template is a whole optional variable (<c>${var?}</c>) that has no value: the item or key is omitted.</summary>
    public virtual bool IsPresent(VariableScope scope) => true;

    /// <summary>Writes the JSON value. Call only when <see cref="IsPresent"/> is true.</summary>
    public abstract void Write(Utf8JsonWriter writer, VariableScope scope);

    /// <summary>The value as text for a header, a query parameter or a URL path: strings unquoted, other values as JSON.</summary>
    public abstract string GetText(VariableScope scope, Func<string, string>? escape = null);

    /// <summary>The value as a standalone JSON element (for converters).</summary>
    public virtual JsonElement Evaluate(VariableScope scope) => Internal.JsonValues.Write((this, scope), static (w, s) => s.Item1.Write(w, s.scope));

    /// <summary>The names of the variables this template reads.</summary>
    public abstract IEnumerable<string> VariableNames { get; }

    /// <summary>The variable names of <paramref name="templates"/>, in order: all, or only the required ones.</summary>
    /// <remarks>A loop rather than LINQ's SelectMany: each lambda is one more method for a cold load to compile.</remarks>
    protected static List<string> NamesOf(IReadOnlyList<Template> templates, bool requiredOnly)
    {
        var names = new List<string>();
        for (var i = 0; i < templates.Count; i++)
        {
            names.AddRange(requiredOnly ? templates[i].RequiredVariableNames : templates[i].VariableNames);
        }

        return names;
    }

    /// <summary>The names of the variables this template cannot do without (no default, not optional).</summary>
    public virtual IEnumerable<string> RequiredVariableNames => VariableNames;

    protected LlmRequestException Missing(string variable) => new(
        $"The variable '{variable}' has no value, and {Site.Description} needs it ({Site.Location.Describe()}). " +
        $"Set '{variable}' in the profile's Variables or in LlmRequest.Variables, or write ${{{variable}:-default}} or ${{{variable}?}} in the definition to give it a default or make it optional.")
    {
        MissingVariable = variable,
    };
}
