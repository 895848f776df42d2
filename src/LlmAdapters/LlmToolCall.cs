namespace LlmAdapters;

/// <summary>A call of a tool asked for by the model: its id, the function's name and the arguments as JSON.</summary>
/// <param name="Id">The call's id, which the tool's result refers to (<see cref="LlmMessage.ToolResult"/>). Vendors that give none (Gemini, Ollama) get <c>call_0</c>, <c>call_1</c>, ... in answer order.</param>
/// <param name="Name">The name of the function to call.</param>
/// <param name="Arguments">The arguments: the text of a JSON object (<c>{}</c> when the function takes none).</param>
/// <remarks>
/// In a response this comes from the <c>resp</c> item named <c>tool_calls</c> (one item with a <c>tool_call</c> key);
/// in the <c>${messages}</c> variable an assistant message's calls are <c>"tool_calls": [{"id", "name", "arguments": {...}}]</c>.
/// </remarks>
public sealed record LlmToolCall(string Id, string Name, string Arguments);
