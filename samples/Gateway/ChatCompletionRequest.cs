using System.Text;
using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>An OpenAI chat completion request as the gateway reads it: what it maps itself, plus every other parameter by name (passed to the profile's adapter as a variable of that name, or refused).</summary>
internal sealed record ChatCompletionRequest(
    string Model, IReadOnlyList<LlmMessage> Messages, int? MaxTokens, double? Temperature, bool Stream, bool IncludeUsage, IReadOnlyDictionary<string, JsonElement> Parameters)
{
    /// <summary>OpenAI's <c>tools</c> (function tools).</summary>
    public IReadOnlyList<LlmTool> Tools { get; init; } = [];

    /// <summary>OpenAI's <c>tool_choice</c>; null when not given.</summary>
    public LlmToolChoice? ToolChoice { get; init; }

    /// <summary>OpenAI's <c>response_format</c>; null when not given.</summary>
    public LlmResponseFormat? ResponseFormat { get; init; }

    /// <summary>Parameters the gateway maps itself (everything else is in <see cref="Parameters"/>).</summary>
    private static readonly HashSet<string> Mapped = ["model", "messages", "max_tokens", "max_completion_tokens", "temperature", "stream", "stream_options", "n", .. ToolParameters.Names];

    /// <summary>
    /// OpenAI's other chat parameters (its API reference): each goes to the profile's adapter as the variable of the same
    /// name when the adapter's chat call reads one, else the request gets a 400. Only these names: a client must never set
    /// an adapter variable of its own choosing (such as <c>apikey</c> or <c>base_url</c>).
    /// </summary>
    public static readonly HashSet<string> PassedThrough =
    [
        "top_p", "stop", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "user",
        "service_tier", "store", "metadata", "reasoning_effort", "modalities", "prediction", "audio", "verbosity",
        "web_search_options", "safety_identifier", "prompt_cache_key", "parallel_tool_calls",
    ];

    /// <summary>Reads the request body; a body that does not fit, or asks for what no profile can do, gives an OpenAI-format 400.</summary>
    public static async Task<(ChatCompletionRequest? Request, OpenAiError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, OpenAiError.BadRequest($"The request body is not valid JSON: {e.Message}"));
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (InvalidOperationException e) when (OpenAiError.IsNotText(e))
            {
                return (null, OpenAiError.BodyNotText());
            }
        }
    }

    private static (ChatCompletionRequest? Request, OpenAiError? Error) Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, OpenAiError.BadRequest("The request body must be a JSON object."));
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(model.GetString()))
        {
            return (null, OpenAiError.BadRequest("You must provide a model parameter: one of the ids GET /v1/models lists.", "model"));
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return (null, OpenAiError.BadRequest("'messages' must be a non-empty array of {\"role\", \"content\"}.", "messages"));
        }

        if (ToolParameters.RefuseLegacy(root, messages) is { } legacyError)
        {
            return (null, legacyError);
        }

        var (tools, toolsError) = ToolParameters.Tools(root);
        var (toolChoice, choiceError) = ToolParameters.ToolChoice(root);
        var (responseFormat, formatError) = ToolParameters.ResponseFormat(root);
        if ((toolsError ?? choiceError ?? formatError) is { } toolError)
        {
            return (null, toolError);
        }

        if (root.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null && !(n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var count) && count == 1))
        {
            return (null, OpenAiError.BadRequest("The parameter 'n' must be 1 here: this profile answers with one choice per request.", "n", "unsupported_parameter"));
        }

        var list = new List<LlmMessage>();
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                return (null, OpenAiError.BadRequest("Each message needs a string 'role'.", "messages"));
            }

            var (text, images) = Content(message.TryGetProperty("content", out var content) ? content : default);
            var roleName = role.GetString() == "developer" ? "system" : role.GetString()!;
            if (roleName == "tool")
            {
                var (callId, idError) = ToolParameters.CallId(message);
                if (idError is not null)
                {
                    return (null, idError);
                }

                list.Add(LlmMessage.ToolResult(callId!, text));
                continue;
            }

            var (calls, callsError) = ToolParameters.Calls(message);
            if (callsError is not null)
            {
                return (null, callsError);
            }

            if (calls.Count > 0 && roleName != "assistant")
            {
                return (null, OpenAiError.BadRequest("Only an assistant message may have 'tool_calls'.", "messages", "invalid_value"));
            }

            list.Add(new LlmMessage(roleName, text) { Images = images, ToolCalls = calls });
        }

        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            // null is OpenAI's "not given"; a parameter named twice keeps its last value, as System.Text.Json reads it.
            if (Mapped.Contains(property.Name) || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (!PassedThrough.Contains(property.Name))
            {
                return (null, OpenAiError.BadRequest($"Unrecognized request argument supplied: {property.Name}.", property.Name, "unknown_parameter"));
            }

            parameters[property.Name] = property.Value.Clone();
        }

        int? maxTokens = Number(root, "max_completion_tokens") ?? Number(root, "max_tokens");
        double? temperature = root.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null;
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
        return (new ChatCompletionRequest(model.GetString()!, list, maxTokens, temperature, stream, includeUsage, parameters)
        {
            Tools = tools, ToolChoice = toolChoice, ResponseFormat = responseFormat,
        }, null);
    }

    /// <summary>
    /// The first parameter the adapter's chat call cannot honour, or null: <c>tools</c>, <c>messages</c> (tool calls or
    /// results in them), <c>tool_choice</c> or <c>response_format</c> when the call has no place for them (as the library
    /// decides: "auto" needs only tools, "text" is never sent), else a passed-through parameter it reads no variable for.
    /// </summary>
    public string? UnsupportedBy(LlmCallInfo? chat)
    {
        var inputs = chat?.Inputs ?? [];
        var takesTools = inputs.Contains("tools", StringComparer.Ordinal);
        if (Tools.Count > 0 && !takesTools)
        {
            return "tools";
        }

        if (!takesTools && Messages.Any(m => m.ToolCalls.Count > 0 || m.ToolCallId is not null))
        {
            return "messages";
        }

        if (ToolChoice is { } choice && !inputs.Contains("tool_choice", StringComparer.Ordinal) && !(choice.Kind == LlmToolChoiceKind.Auto && takesTools))
        {
            return "tool_choice";
        }

        if (ResponseFormat is { Kind: not LlmResponseFormatKind.Text } && !inputs.Contains("response_format", StringComparer.Ordinal))
        {
            return "response_format";
        }

        var variables = chat?.Variables ?? [];
        return Parameters.Keys.Order(StringComparer.Ordinal).FirstOrDefault(name => !variables.Contains(name, StringComparer.Ordinal));
    }

    /// <summary>The text of the last user message: what a web search looks for.</summary>
    public string LastUserText() => Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";

    /// <summary>This request with <paramref name="appendix"/> added to its last user message (search results).</summary>
    public ChatCompletionRequest WithAppendixToLastUserMessage(string appendix)
    {
        var index = Messages.Select((m, i) => (m, i)).LastOrDefault(p => p.m.Role == "user", (null!, -1)).Item2;
        if (index < 0)
        {
            return this with { Messages = [.. Messages, new LlmMessage("user", appendix)] };
        }

        var messages = Messages.ToList();
        messages[index] = messages[index] with { Content = messages[index].Content + "\n\n" + appendix };
        return this with { Messages = messages };
    }

    /// <summary>The library's request for one attempt: the upstream model when one is asked for, the key to use, and the passed-through parameters as variables.</summary>
    public LlmRequest ToLlmRequest(string? upstreamModel, string? apiKey)
    {
        var variables = new Dictionary<string, object?>(Parameters.Count + 1, StringComparer.Ordinal);
        foreach (var (name, value) in Parameters)
        {
            variables[name] = value;
        }

        if (apiKey is not null)
        {
            variables["apikey"] = apiKey;
        }

        return new()
        {
            Messages = Messages, MaxTokens = MaxTokens, Temperature = Temperature, Model = upstreamModel, Variables = variables,
            Tools = Tools, ToolChoice = ToolChoice, ResponseFormat = ResponseFormat,
        };
    }

    private static int? Number(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    /// <summary>A message's content: a string, or content parts (text parts joined; image_url parts as images).</summary>
    private static (string Text, IReadOnlyList<LlmMedia> Images) Content(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return (content.GetString()!, []);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return ("", []);
        }

        var text = new StringBuilder();
        var images = new List<LlmMedia>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            {
                text.Append(t.GetString());
            }
            else if (part.TryGetProperty("image_url", out var image) && image.ValueKind == JsonValueKind.Object
                && image.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String
                && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri))
            {
                images.Add(LlmMedia.FromUrl(uri));
            }
        }

        return (text.ToString(), images);
    }
}
