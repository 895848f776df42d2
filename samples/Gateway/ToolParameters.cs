using System.Text.Json;

namespace Gateway;

/// <summary>
/// OpenAI's tool calling and structured output (<c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c>,
/// <c>functions</c>, <c>function_call</c>, <c>response_format</c>, and <c>tool</c>/<c>function</c> messages or assistant
/// <c>tool_calls</c>): refused with a 400 naming the parameter, since no profile can pass them on yet.
/// </summary>
/// <remarks>
/// The one place to change when <see cref="LlmAdapters.LlmRequest"/> carries tools and a response format: parse them here
/// into the request instead of refusing them (and let <see cref="ChatCompletionsEndpoint"/> write <c>tool_calls</c> back).
/// </remarks>
internal static class ToolParameters
{
    public static readonly string[] Names = ["tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "response_format"];

    /// <summary>A 400 naming the first tool parameter or tool message the request has; null when it has none.</summary>
    public static OpenAiError? Refuse(JsonElement root, JsonElement messages)
    {
        foreach (var name in Names)
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return OpenAiError.BadRequest($"The parameter '{name}' is not supported by this profile: the gateway cannot pass tools or response formats to its upstream. Remove '{name}'.", name, "unsupported_parameter");
            }
        }

        foreach (var message in messages.EnumerateArray())
        {
            var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (role is "tool" or "function"
                || (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
                || (message.TryGetProperty("function_call", out var call) && call.ValueKind != JsonValueKind.Null))
            {
                return OpenAiError.BadRequest("Tool messages (role 'tool' or 'function', or an assistant message with 'tool_calls') are not supported by this profile: the gateway cannot pass tool calls to its upstream.", "messages", "unsupported_parameter");
            }
        }

        return null;
    }
}
