using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>
/// Checks a JSON value against the subset of JSON Schema 2020-12 that adapters/llm-adapter.schema.json uses
/// (type, properties, patternProperties, additionalProperties, required, items, enum, $ref to #/$defs, oneOf, anyOf),
/// so the shipped adapters are validated against the schema without a schema library.
/// </summary>
internal sealed class MiniJsonSchema(JsonElement root)
{
    public List<string> Validate(JsonElement value)
    {
        var problems = new List<string>();
        Check(root, value, "$", problems);
        return problems;
    }

    private void Check(JsonElement schema, JsonElement value, string at, List<string> problems)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!;
            Assert.That(name, Does.StartWith("#/$defs/"), "only local $defs references are supported");
            Check(root.GetProperty("$defs").GetProperty(name["#/$defs/".Length..]), value, at, problems);
        }

        if (schema.TryGetProperty("type", out var type)
            && !(type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(t => HasType(value, t.GetString()!)) : HasType(value, type.GetString()!)))
        {
            problems.Add($"{at}: expected a {(type.ValueKind == JsonValueKind.Array ? type.GetRawText() : type.GetString())}, found a {value.ValueKind}");
            return;
        }

        if (schema.TryGetProperty("enum", out var choices) && !choices.EnumerateArray().Any(c => JsonElement.DeepEquals(c, value)))
        {
            problems.Add($"{at}: {value.GetRawText()} is not one of {choices.GetRawText()}");
        }

        if (schema.TryGetProperty("oneOf", out var oneOf) && oneOf.EnumerateArray().Count(s => Validates(s, value, at)) != 1)
        {
            problems.Add($"{at}: matches not exactly one of the oneOf schemas");
        }

        if (schema.TryGetProperty("anyOf", out var anyOf) && !anyOf.EnumerateArray().Any(s => Validates(s, value, at)))
        {
            problems.Add($"{at}: matches none of the anyOf schemas");
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{at}[{i++}]", problems);
            }
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var key in required.EnumerateArray())
            {
                if (!value.TryGetProperty(key.GetString()!, out _))
                {
                    problems.Add($"{at}: \"{key.GetString()}\" is required");
                }
            }
        }

        foreach (var property in value.EnumerateObject())
        {
            var path = $"{at}.{property.Name}";
            if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Check(propertySchema, property.Value, path, problems);
                continue;
            }

            var matched = false;
            if (schema.TryGetProperty("patternProperties", out var patterns))
            {
                foreach (var pattern in patterns.EnumerateObject())
                {
                    if (Regex.IsMatch(property.Name, pattern.Name))
                    {
                        matched = true;
                        Check(pattern.Value, property.Value, path, problems);
                    }
                }
            }

            if (!matched && schema.TryGetProperty("additionalProperties", out var additional))
            {
                if (additional.ValueKind == JsonValueKind.False)
                {
                    problems.Add($"{path}: key not allowed by the schema");
                }
                else
                {
                    Check(additional, property.Value, path, problems);
                }
            }
        }
    }

    private bool Validates(JsonElement schema, JsonElement value, string at)
    {
        var problems = new List<string>();
        Check(schema, value, at, problems);
        return problems.Count == 0;
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"type '{type}'"),
    };
}
