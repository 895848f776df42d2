using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>Reads the standard tool calls (<c>[{"id", "name", "arguments": {...}}]</c>) from a response's <c>tool_calls</c> item.</summary>
internal static class ToolCalls
{
    /// <summary>The name of the <c>resp</c> item that <see cref="LlmResponse.ToolCalls"/> and <see cref="LlmStreamUpdate.ToolCalls"/> read.</summary>
    public const string FieldName = "tool_calls";

    public static IReadOnlyList<LlmToolCall> From(IReadOnlyDictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue(FieldName, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var calls = new List<LlmToolCall>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String
                && item.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String
                && item.TryGetProperty("arguments"u8, out var arguments))
            {
                calls.Add(new LlmToolCall(id.GetString()!, name.GetString()!, arguments.ValueKind == JsonValueKind.String ? arguments.GetString()! : arguments.GetRawText()));
            }
        }

        return calls;
    }
}
