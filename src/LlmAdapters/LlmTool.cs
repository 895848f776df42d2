using System.Text.Json;

namespace LlmAdapters;

/// <summary>A function the model may call: its name, what it does, and the JSON Schema of its arguments.</summary>
/// <param name="Name">The function's name, as the model will call it.</param>
/// <param name="Description">What the function does, for the model; null for none.</param>
/// <param name="Parameters">The JSON Schema of the arguments (a JSON object such as <c>{"type": "object", "properties": {...}}</c>).</param>
/// <remarks>
/// In the <c>${tools}</c> variable a tool is <c>{"name": ..., "description": ..., "parameters": {...}}</c>; vendor converters
/// such as <c>openai_tools</c> turn the list into the vendor's shape.
/// </remarks>
public sealed record LlmTool(string Name, string? Description, JsonElement Parameters);
