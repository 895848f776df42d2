using System.Text.Json;

namespace LlmAdapters;

/// <summary>The form the answer must take: text, JSON, or JSON that fits a schema. Fills <c>${response_format}</c>.</summary>
/// <remarks>
/// In the <c>${response_format}</c> variable it is <c>{"type": "text"}</c>, <c>{"type": "json"}</c> or
/// <c>{"type": "json_schema", "name": ..., "description": ..., "schema": {...}}</c>; vendor converters such as
/// <c>openai_response_format</c> turn it into the vendor's JSON mode. Immutable.
/// </remarks>
public sealed class LlmResponseFormat
{
    private LlmResponseFormat(LlmResponseFormatKind kind, string? name, string? description, JsonElement? schema)
    {
        Kind = kind;
        SchemaName = name;
        SchemaDescription = description;
        Schema = schema;
    }

    /// <summary>Plain text: every vendor's default, so it leaves <c>${response_format}</c> unset.</summary>
    public static LlmResponseFormat Text { get; } = new(LlmResponseFormatKind.Text, null, null, null);

    /// <summary>Any JSON value.</summary>
    public static LlmResponseFormat Json { get; } = new(LlmResponseFormatKind.Json, null, null, null);

    /// <summary>Which form this is.</summary>
    public LlmResponseFormatKind Kind { get; }

    /// <summary>The schema's name (for <see cref="LlmResponseFormatKind.JsonSchema"/>); else null.</summary>
    public string? SchemaName { get; }

    /// <summary>What the schema describes, for the model; null for none.</summary>
    public string? SchemaDescription { get; }

    /// <summary>The JSON Schema the answer must fit (for <see cref="LlmResponseFormatKind.JsonSchema"/>); else null.</summary>
    public JsonElement? Schema { get; }

    /// <summary>JSON that fits <paramref name="schema"/>.</summary>
    /// <param name="name">The schema's name (vendors that need one, such as OpenAI, send it).</param>
    /// <param name="schema">The JSON Schema: a JSON object.</param>
    /// <param name="description">What the schema describes; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or <paramref name="schema"/> is not a JSON object.</exception>
    public static LlmResponseFormat JsonSchema(string name, JsonElement schema, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A JSON Schema is a JSON object, not a JSON {schema.ValueKind.ToString().ToLowerInvariant()}.", nameof(schema));
        }

        return new(LlmResponseFormatKind.JsonSchema, name, description, schema.Clone());
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LlmResponseFormatKind.Text => "text",
        LlmResponseFormatKind.Json => "json",
        LlmResponseFormatKind.JsonSchema => $"json_schema '{SchemaName}'",
        _ => throw new InvalidOperationException($"Unknown response format kind {Kind}."),
    };
}
