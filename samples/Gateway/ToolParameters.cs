using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>
/// OpenAI's tool calling and structured output as the gateway reads them: <c>tools</c>, <c>tool_choice</c>,
/// <c>response_format</c>, assistant messages with <c>tool_calls</c> and <c>tool</c> messages become the library's
/// <see cref="LlmRequest.Tools"/>, <see cref="LlmRequest.ToolChoice"/>, <see cref="LlmRequest.ResponseFormat"/> and tool
/// messages (<c>parallel_tool_calls</c> is an ordinary passed-through variable). The legacy <c>functions</c>,
/// <c>function_call</c> and <c>function</c> messages are refused with a 400 that says to use tools.
/// </summary>
/// <remarks>
/// What cannot be carried is a 400 naming it, never dropped: a tool of another type than <c>function</c>, and
/// <c>strict: true</c> (on a function or a json_schema), which the library's tools and response formats have no place for.
/// </remarks>
internal static class ToolParameters
{
    /// <summary>The request members read here (not passed through as variables).</summary>
    public static readonly string[] Names = ["tools", "tool_choice", "response_format", "functions", "function_call"];

    /// <summary>OpenAI's default for a function without <c>parameters</c>: one that takes none.</summary>
    private static readonly JsonElement NoParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    /// <summary>A 400 for the legacy function-calling parameters or messages; null when the request has none.</summary>
    public static OpenAiError? RefuseLegacy(JsonElement root, JsonElement messages)
    {
        foreach (var name in (ReadOnlySpan<string>)["functions", "function_call"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return OpenAiError.BadRequest($"The deprecated parameter '{name}' is not supported by this gateway: use 'tools' and 'tool_choice' instead.", name, "unsupported_parameter");
            }
        }

        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object
                && ((message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() == "function")
                    || (message.TryGetProperty("function_call", out var call) && call.ValueKind != JsonValueKind.Null)))
            {
                return OpenAiError.BadRequest("Deprecated function messages (role 'function', or an assistant message with 'function_call') are not supported by this gateway: use 'tools', assistant 'tool_calls' and role 'tool' messages instead.", "messages", "unsupported_parameter");
            }
        }

        return null;
    }

    /// <summary>The request's tools (OpenAI: <c>[{"type": "function", "function": {name, description?, parameters?}}]</c>).</summary>
    public static (IReadOnlyList<LlmTool> Tools, OpenAiError? Error) Tools(JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return ([], null);
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            return ([], Bad("'tools' must be an array of {\"type\": \"function\", \"function\": {\"name\", \"description\", \"parameters\"}}.", "tools"));
        }

        var list = new List<LlmTool>();
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return ([], Bad("Each tool needs a 'type' ('function').", "tools"));
            }

            if (type.GetString() != "function")
            {
                return ([], Bad($"Tools of type '{type.GetString()}' are not supported by this gateway: only 'function' tools pass to the upstream.", "tools"));
            }

            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
            {
                return ([], Bad("Each function tool needs 'function' with a string 'name'.", "tools"));
            }

            if (function.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True)
            {
                return ([], Bad($"'strict: true' (tool '{name.GetString()}') is not supported by this gateway: it cannot pass it to the upstream. Remove 'strict'.", "tools"));
            }

            var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var parameters = function.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null ? p : NoParameters;
            if (parameters.ValueKind != JsonValueKind.Object)
            {
                return ([], Bad($"The 'parameters' of tool '{name.GetString()}' must be a JSON Schema object.", "tools"));
            }

            list.Add(new LlmTool(name.GetString()!, description, parameters.Clone()));
        }

        return (list, null);
    }

    /// <summary>The request's tool choice: <c>"auto"</c>, <c>"none"</c>, <c>"required"</c> or <c>{"type": "function", "function": {"name"}}</c>.</summary>
    public static (LlmToolChoice? Choice, OpenAiError? Error) ToolChoice(JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "auto" => (LlmToolChoice.Auto, null),
                "none" => (LlmToolChoice.None, null),
                "required" => (LlmToolChoice.Required, null),
                var other => (null, Bad($"'tool_choice' must be \"auto\", \"none\", \"required\" or {{\"type\": \"function\", \"function\": {{\"name\"}}}}, not \"{other}\".", "tool_choice")),
            };
        }

        if (choice.ValueKind == JsonValueKind.Object
            && choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "function"
            && choice.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(name.GetString()))
        {
            return (LlmToolChoice.Tool(name.GetString()!), null);
        }

        return (null, Bad("'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\"}}; other choices are not supported by this gateway.", "tool_choice"));
    }

    /// <summary>The request's response format: <c>{"type": "text" | "json_object" | "json_schema", "json_schema": {name, description?, schema}}</c>.</summary>
    public static (LlmResponseFormat? Format, OpenAiError? Error) ResponseFormat(JsonElement root)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        var type = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return (LlmResponseFormat.Text, null);
            case "json_object":
                return (LlmResponseFormat.Json, null);
            case "json_schema":
                if (!format.TryGetProperty("json_schema", out var schema) || schema.ValueKind != JsonValueKind.Object
                    || !schema.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString())
                    || !schema.TryGetProperty("schema", out var body) || body.ValueKind != JsonValueKind.Object)
                {
                    return (null, Bad("A 'json_schema' response format needs 'json_schema' with a string 'name' and a 'schema' object.", "response_format"));
                }

                if (schema.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True)
                {
                    return (null, Bad("'strict: true' in 'response_format' is not supported by this gateway: it cannot pass it to the upstream. Remove 'strict'.", "response_format"));
                }

                var description = schema.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                return (LlmResponseFormat.JsonSchema(name.GetString()!, body.Clone(), description), null);
            default:
                return (null, Bad("'response_format' must be {\"type\": \"text\"}, {\"type\": \"json_object\"} or {\"type\": \"json_schema\", \"json_schema\": {\"name\", \"schema\"}}.", "response_format"));
        }
    }

    /// <summary>An assistant message's <c>tool_calls</c> (<c>[{"id", "type": "function", "function": {"name", "arguments"}}]</c>); empty when it has none.</summary>
    public static (IReadOnlyList<LlmToolCall> Calls, OpenAiError? Error) Calls(JsonElement message)
    {
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind == JsonValueKind.Null)
        {
            return ([], null);
        }

        var list = new List<LlmToolCall>();
        if (calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object
                    || !call.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                    || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                    || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                    || !function.TryGetProperty("arguments", out var arguments) || arguments.ValueKind != JsonValueKind.String
                    || (call.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "function"))
                {
                    return ([], Bad("Each of an assistant message's 'tool_calls' needs a string 'id' and 'function' with string 'name' and 'arguments' (type 'function').", "messages"));
                }

                list.Add(new LlmToolCall(id.GetString()!, name.GetString()!, arguments.GetString()!));
            }

            return (list, null);
        }

        return ([], Bad("An assistant message's 'tool_calls' must be an array.", "messages"));
    }

    /// <summary>A <c>tool</c> message's <c>tool_call_id</c>; an error when it has none.</summary>
    public static (string? Id, OpenAiError? Error) CallId(JsonElement message)
        => message.TryGetProperty("tool_call_id", out var id) && id.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(id.GetString())
            ? (id.GetString(), null)
            : (null, Bad("A message with role 'tool' needs a string 'tool_call_id': the id of the call it answers.", "messages"));

    private static OpenAiError Bad(string message, string param) => OpenAiError.BadRequest(message, param, "invalid_value");
}
