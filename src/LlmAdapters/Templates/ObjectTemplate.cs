using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>A JSON object whose values are templates; a key whose value is an absent <c>${var?}</c> is left out.</summary>
/// <remarks>
/// Keeps its keys and values in two arrays: walking them by index needs no enumerator per request, and no LINQ over
/// key/value pairs (generic code over a struct, compiled on a cold load's first use).
/// </remarks>
internal sealed class ObjectTemplate : Template
{
    private readonly string[] _keys;

    private readonly Template[] _values;

    public ObjectTemplate(IReadOnlyList<KeyValuePair<string, Template>> members, TemplateSite site)
        : base(site)
    {
        _keys = new string[members.Count];
        _values = new Template[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            (_keys[i], _values[i]) = members[i];
        }
    }

    /// <summary>An object whose every member is an absent optional is absent itself, so <c>{"parts":[{"text":"${system?}"}]}</c> leaves nothing behind.</summary>
    public override bool IsPresent(VariableScope scope)
    {
        foreach (var value in _values)
        {
            if (value.IsPresent(scope))
            {
                return true;
            }
        }

        return _values.Length == 0;
    }

    public override void Write(Utf8JsonWriter writer, VariableScope scope)
    {
        writer.WriteStartObject();
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i].IsPresent(scope))
            {
                writer.WritePropertyName(_keys[i]);
                _values[i].Write(writer, scope);
            }
        }

        writer.WriteEndObject();
    }

    public override string GetText(VariableScope scope, Func<string, string>? escape = null) => Evaluate(scope).GetRawText();

    public override IEnumerable<string> VariableNames => NamesOf(_values, requiredOnly: false);

    public override IEnumerable<string> RequiredVariableNames => NamesOf(_values, requiredOnly: true);
}
