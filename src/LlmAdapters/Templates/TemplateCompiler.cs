using System.Text;
using System.Text.Json;

namespace LlmAdapters.Templates;

/// <summary>Compiles a definition value into a <see cref="Template"/>.</summary>
/// <remarks>
/// Template rules (README "Templates"):
/// <list type="bullet">
/// <item><c>"${var}"</c> alone inserts the variable's JSON value unchanged (an array stays an array).</item>
/// <item><c>${var}</c> inside a longer string pastes its text.</item>
/// <item><c>${var:-default}</c> uses the default when the variable has no value; alone, a default that is a JSON number, true, false or null is inserted as that JSON value.</item>
/// <item><c>${var?}</c> alone omits the item (or the object key, or the array element) when the variable has no value; inside a string it pastes nothing.</item>
/// <item><c>$${</c> writes a literal <c>${</c>.</item>
/// </list>
/// </remarks>
internal static class TemplateCompiler
{
    public const int MaxDepth = 32;

    public static Template Compile(JsonElement value, TemplateSite site, List<string> errors) => Compile(value, site, errors, 0);

    private static Template Compile(JsonElement value, TemplateSite site, List<string> errors, int depth)
    {
        if (depth > MaxDepth)
        {
            errors.Add($"the value is nested more than {MaxDepth} levels deep");
            return new LiteralTemplate(Internal.JsonValues.Null, site);
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return CompileString(value.GetString()!, value, site, errors);
            case JsonValueKind.Object:
                var members = new List<KeyValuePair<string, Template>>();
                var anyVariable = false;
                foreach (var property in value.EnumerateObject())
                {
                    var child = Compile(property.Value, site, errors, depth + 1);
                    anyVariable |= child is not LiteralTemplate;
                    members.Add(new(property.Name, child));
                }

                return anyVariable ? new ObjectTemplate(members, site) : new LiteralTemplate(value.Clone(), site);
            case JsonValueKind.Array:
                var items = new List<Template>();
                var anyArrayVariable = false;
                foreach (var element in value.EnumerateArray())
                {
                    var child = Compile(element, site, errors, depth + 1);
                    anyArrayVariable |= child is not LiteralTemplate;
                    items.Add(child);
                }

                return anyArrayVariable ? new ArrayTemplate(items, site) : new LiteralTemplate(value.Clone(), site);
            default:
                return new LiteralTemplate(value.Clone(), site);
        }
    }

    /// <summary>Compiles a string template (also used for <c>path</c> and <c>query_path</c>).</summary>
    public static Template CompileString(string text, JsonElement? original, TemplateSite site, List<string> errors)
    {
        var parts = new List<InterpolatedTemplate.Part>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                literal.Append("${");
                i += 3;
                continue;
            }

            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    errors.Add($"'${{' at position {i + 1} of \"{text}\" has no closing '}}'; write ${{name}}, or $${{ for a literal '${{'");
                    return new LiteralTemplate(text, site);
                }

                var inner = text[(i + 2)..close];
                if (!TryParseReference(inner, out var part, out var error))
                {
                    errors.Add($"'${{{inner}}}' in \"{text}\": {error}");
                    return new LiteralTemplate(text, site);
                }

                if (literal.Length > 0)
                {
                    parts.Add(new InterpolatedTemplate.Part(literal.ToString(), null, null, false));
                    literal.Clear();
                }

                parts.Add(part);
                i = close + 1;
                continue;
            }

            literal.Append(text[i]);
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add(new InterpolatedTemplate.Part(literal.ToString(), null, null, false));
        }

        if (parts.Count == 0)
        {
            return original is { } value ? new LiteralTemplate(value, site) : new LiteralTemplate(text, site);
        }

        if (parts.Count == 1 && parts[0].Variable is null)
        {
            // Only "$${" escapes made it differ from the original.
            return new LiteralTemplate(parts[0].Text, site);
        }

        if (parts.Count == 1)
        {
            var p = parts[0];
            return new VariableTemplate(p.Variable!, p.Default is null ? null : DefaultValue(p.Default, site), p.Optional, site);
        }

        return new InterpolatedTemplate([.. parts], site);
    }

    private static bool TryParseReference(string inner, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out InterpolatedTemplate.Part? part, out string? error)
    {
        part = default;
        string name;
        string? defaultText = null;
        var optional = false;
        var dash = inner.IndexOf(":-", StringComparison.Ordinal);
        if (dash >= 0)
        {
            name = inner[..dash];
            defaultText = inner[(dash + 2)..];
        }
        else if (inner.EndsWith('?'))
        {
            name = inner[..^1];
            optional = true;
        }
        else
        {
            name = inner;
        }

        name = name.Trim();
        if (name.Length == 0)
        {
            error = "the variable name is empty; write ${name}";
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                error = $"the variable name '{name}' has '{c}'; names use letters, digits, '_', '-' and '.' (write ${{name:-default}} for a default, ${{name?}} for optional)";
                return false;
            }
        }

        part = new InterpolatedTemplate.Part(string.Empty, name, defaultText, optional);
        error = null;
        return true;
    }

    /// <summary>A default's value: JSON true, false, null or a number when it reads as one, else the text as a JSON string.</summary>
    private static LiteralTemplate DefaultValue(string text, TemplateSite site)
    {
        var trimmed = text.Trim();
        if (trimmed is "true" or "false" or "null" || IsJsonNumber(trimmed))
        {
            try
            {
                return new LiteralTemplate(Internal.JsonValues.Parse(Encoding.UTF8.GetBytes(trimmed)), site);
            }
            catch (JsonException)
            {
                // "1." parses as a double but is not JSON: keep it as text.
            }
        }

        return new LiteralTemplate(text, site);
    }

    /// <summary>
    /// True when <paramref name="text"/> is one JSON number (RFC 8259: <c>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</c>).
    /// </summary>
    /// <remarks>
    /// The same defaults become numbers as when this asked <c>double.TryParse</c> (invariant culture) and then the JSON reader,
    /// without the invariant culture's number format, whose first use loads ICU: several milliseconds of a cold catalog load.
    /// </remarks>
    private static bool IsJsonNumber(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        if (i < text.Length && text[i] == '0')
        {
            i++;
        }
        else if (!SkipDigits(text, ref i))
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            if (!SkipDigits(text, ref i))
            {
                return false;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            if (!SkipDigits(text, ref i))
            {
                return false;
            }
        }

        return i == text.Length;
    }

    /// <summary>Moves past ASCII digits; false when there is none.</summary>
    private static bool SkipDigits(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > start;
    }
}
