using System.Text.Json.Serialization;

namespace ChatBotPlugin;

/// <summary>One message of the event's history: <c>{"role": "user", "content": "..."}</c>.</summary>
public sealed record LlmEventMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

/// <summary>The event's data: <c>{"history": [...], "max_tokens": 4096, "temperature": 0.7}</c>.</summary>
public sealed record LlmEventData(
    [property: JsonPropertyName("history")] IReadOnlyList<LlmEventMessage> History,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens = null,
    [property: JsonPropertyName("temperature")] double? Temperature = null);

/// <summary>The event's result: <c>{"text": "...", "status": 200, "error": ""}</c>; status 200 means success.</summary>
public sealed record LlmEventResult(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("error")] string Error);

/// <summary>Source-generated JSON for the event shapes (no reflection).</summary>
[JsonSerializable(typeof(LlmEventData))]
[JsonSerializable(typeof(LlmEventResult))]
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
internal sealed partial class LlmEventJsonContext : JsonSerializerContext;
