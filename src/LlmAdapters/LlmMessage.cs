namespace LlmAdapters;

/// <summary>One message of a chat history: who said it and what.</summary>
/// <param name="Role">The speaker: <c>system</c>, <c>user</c>, <c>assistant</c>, or whatever role names the vendor uses.</param>
/// <param name="Content">The text of the message.</param>
/// <remarks>
/// In the <c>${messages}</c> variable a message is <c>{"role": ..., "content": ...}</c>, plus <c>"images"</c> (a list of
/// media items) when it has images, <c>"tool_calls": [{"id", "name", "arguments": {...}}]</c> when an assistant message
/// calls tools, and <c>"tool_call_id"</c> with <c>"name"</c> (the called function's, found in the earlier assistant
/// message) for a tool's result (role <c>tool</c>). Vendor converters such as <c>openai_messages</c> turn that into the vendor's shape.
/// </remarks>
public sealed record LlmMessage(string Role, string Content)
{
    /// <summary>Images that belong to this message (vision input).</summary>
    public IReadOnlyList<LlmMedia> Images { get; init; } = [];

    /// <summary>The tools an assistant message calls (the model's tool calls, sent back in the history).</summary>
    public IReadOnlyList<LlmToolCall> ToolCalls { get; init; } = [];

    /// <summary>For a tool's result (role <c>tool</c>): the id of the call it answers; else null.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>A message with role <c>system</c>.</summary>
    public static LlmMessage System(string content) => new("system", content);

    /// <summary>A message with role <c>user</c>.</summary>
    public static LlmMessage User(string content) => new("user", content);

    /// <summary>A message with role <c>user</c> and images.</summary>
    public static LlmMessage User(string content, params LlmMedia[] images) => new("user", content) { Images = images };

    /// <summary>A message with role <c>assistant</c>.</summary>
    public static LlmMessage Assistant(string content) => new("assistant", content);

    /// <summary>A message with role <c>assistant</c> that calls tools.</summary>
    public static LlmMessage Assistant(string content, params LlmToolCall[] toolCalls) => new("assistant", content) { ToolCalls = toolCalls };

    /// <summary>A tool's result (role <c>tool</c>) for the call <paramref name="callId"/>.</summary>
    /// <param name="callId">The id of the call (<see cref="LlmToolCall.Id"/>).</param>
    /// <param name="result">The result as text (usually JSON).</param>
    public static LlmMessage ToolResult(string callId, string result) => new("tool", result) { ToolCallId = callId };
}
