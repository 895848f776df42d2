using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Conversion;

/// <summary>
/// Converters for the vendor-specific message and response shapes of the shipped adapters. Each takes the standard
/// <c>messages</c> variable (<c>[{role, content, images?}]</c>, media items <c>{"url"}</c> or <c>{"data", "mime_type"}</c>)
/// or a vendor's response part, and returns the vendor's shape.
/// </summary>
internal static class VendorConverters
{
    private static readonly ILlmConverter OpenAiMessagesConverter = LlmConverter.Create("openai_messages", OpenAiMessages);

    /// <summary>The converter at <paramref name="index"/> of this class's block of <see cref="BuiltInConverters"/>' names, newly made.</summary>
    public static ILlmConverter Create(int index) => index switch
    {
        0 => OpenAiMessagesConverter,
        1 => LlmConverter.Create("anthropic_messages", AnthropicMessages),
        2 => LlmConverter.Create("anthropic_text", v => JoinBlocks(v, "anthropic_text", "text", "text", emptyIsNull: false)),
        3 => LlmConverter.Create("anthropic_thinking", v => JoinBlocks(v, "anthropic_thinking", "thinking", "thinking", emptyIsNull: true)),
        4 => LlmConverter.Create("gemini_contents", GeminiContents),
        5 => LlmConverter.Create("gemini_system", GeminiSystem),
        6 => new GeminiPartsConverter("gemini_text", thoughts: false),
        7 => new GeminiPartsConverter("gemini_thoughts", thoughts: true),
        8 => LlmConverter.Create("ollama_messages", OllamaMessages),
        9 => LlmConverter.Create("dashscope_input", DashScopeInput),
        10 => LlmConverter.Create("bedrock_messages", BedrockMessages),
        11 => LlmConverter.Create("bedrock_system", BedrockSystem),
        12 => new GeminiPartsConverter("bedrock_text", thoughts: false), // Converse content blocks have the shape of Gemini parts
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>
    /// True for the built-in <c>openai_messages</c> (not a user's converter of that name): it returns messages without
    /// images as they are, so the request's own messages can be written straight into the body when none has an image.
    /// </summary>
    public static bool LeavesMessagesWithoutImagesUnchanged(ILlmConverter converter) => ReferenceEquals(converter, OpenAiMessagesConverter);

    private static bool IsNull(JsonElement v) => v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static string Role(JsonElement message) => message.TryGetProperty("role"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "user";

    private static string Content(JsonElement message) => message.TryGetProperty("content"u8, out var c) ? JsonValues.ToText(c) : string.Empty;

    private static JsonElement.ArrayEnumerator? Images(JsonElement message)
        => message.TryGetProperty("images"u8, out var images) && images.ValueKind == JsonValueKind.Array && images.GetArrayLength() > 0 ? images.EnumerateArray() : null;

    /// <summary>An assistant message's tool calls (<c>[{id, name, arguments}]</c>), or null when it calls none.</summary>
    private static JsonElement.ArrayEnumerator? ToolCalls(JsonElement message)
        => message.TryGetProperty("tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0 ? calls.EnumerateArray() : null;

    /// <summary>The id of the call a tool's result answers, or null when the message is not a tool's result.</summary>
    private static string? ToolCallId(JsonElement message)
        => message.TryGetProperty("tool_call_id"u8, out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    /// <summary>A tool call's id, name and arguments (a JSON object; a string holding one is parsed).</summary>
    private static (string Id, string Name, JsonElement Arguments) ToolCall(JsonElement call, string converter)
    {
        if (call.ValueKind != JsonValueKind.Object
            || !call.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String
            || !call.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{converter}: a tool call must be {{\"id\", \"name\", \"arguments\"}}");
        }

        var arguments = call.TryGetProperty("arguments"u8, out var a) ? a : default;
        if (arguments.ValueKind == JsonValueKind.String)
        {
            arguments = JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(arguments.GetString()!));
        }

        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            arguments = JsonValues.Parse("{}"u8);
        }

        return (id.GetString()!, name.GetString()!, arguments);
    }

    /// <summary>A tool's result's function name (the standard messages carry it when an earlier message made the call).</summary>
    private static string? ToolName(JsonElement message)
        => message.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;

    private static void RequireMessages(JsonElement v, string converter)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{converter} takes a list of {{role, content, images?}} messages, not a JSON {v.ValueKind.ToString().ToLowerInvariant()}");
        }

        foreach (var message in v.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{converter} takes a list of {{role, content, images?}} messages; one item is a JSON {message.ValueKind.ToString().ToLowerInvariant()}");
            }
        }
    }

    /// <summary>An inline media item's base64 data and MIME type, or its URL.</summary>
    private static (string? Data, string? Mime, string? Url) Media(JsonElement item, string converter)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{converter}: an image must be a media item {{\"url\"}} or {{\"data\", \"mime_type\"}}, not a JSON {item.ValueKind.ToString().ToLowerInvariant()}");
        }

        var mime = item.TryGetProperty("mime_type"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (item.TryGetProperty("data"u8, out var data) && data.ValueKind == JsonValueKind.String)
        {
            return (data.GetString(), mime, null);
        }

        if (item.TryGetProperty("url"u8, out var url) && url.ValueKind == JsonValueKind.String)
        {
            return (null, mime, url.GetString());
        }

        throw new FormatException($"{converter}: an image needs \"data\" (base64) with \"mime_type\", or \"url\"");
    }

    /// <summary>
    /// DashScope native text generation's <c>input</c> object with its <c>messages</c> member through <c>openai_messages</c>
    /// (tool calls with <c>type</c> and <c>function.arguments</c> as JSON text, results as role <c>tool</c> with <c>tool_call_id</c>).
    /// </summary>
    private static JsonElement DashScopeInput(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"dashscope_input takes the input object {{\"messages\": [...]}}, not a JSON {v.ValueKind.ToString().ToLowerInvariant()}");
        }

        if (!v.TryGetProperty("messages"u8, out var messages))
        {
            return v;
        }

        var converted = OpenAiMessages(messages);
        return JsonValues.Write((v, converted), static (w, s) =>
        {
            w.WriteStartObject();
            foreach (var property in s.v.EnumerateObject())
            {
                if (property.NameEquals("messages"u8))
                {
                    w.WritePropertyName("messages"u8);
                    s.converted.WriteTo(w);
                }
                else
                {
                    property.WriteTo(w);
                }
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Messages with images become OpenAI content parts (text, then image_url with a URL or a data URL); others are unchanged.</summary>
    private static JsonElement OpenAiMessages(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        RequireMessages(v, "openai_messages");
        var anyImages = false;
        foreach (var message in v.EnumerateArray())
        {
            anyImages |= Images(message) is not null || ToolCalls(message) is not null || ToolCallId(message) is not null;
        }

        if (!anyImages)
        {
            return v; // text-only messages are already in OpenAI's shape: no copy
        }

        return JsonValues.Write(v, static (w, messages) =>
        {
            w.WriteStartArray();
            foreach (var message in messages.EnumerateArray())
            {
                if (ToolCallId(message) is { } callId)
                {
                    // A tool's result: {"role": "tool", "tool_call_id", "content"}.
                    w.WriteStartObject();
                    w.WriteString("role"u8, "tool");
                    w.WriteString("tool_call_id"u8, callId);
                    w.WriteString("content"u8, Content(message));
                    w.WriteEndObject();
                    continue;
                }

                if (ToolCalls(message) is { } calls)
                {
                    // The model's calls: "tool_calls": [{"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}].
                    w.WriteStartObject();
                    w.WriteString("role"u8, Role(message));
                    var content = Content(message);
                    if (content.Length > 0)
                    {
                        w.WriteString("content"u8, content);
                    }

                    w.WriteStartArray("tool_calls"u8);
                    foreach (var call in calls)
                    {
                        var (id, name, arguments) = ToolCall(call, "openai_messages");
                        w.WriteStartObject();
                        w.WriteString("id"u8, id);
                        w.WriteString("type"u8, "function");
                        w.WriteStartObject("function"u8);
                        w.WriteString("name"u8, name);
                        w.WriteString("arguments"u8, arguments.GetRawText());
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                    continue;
                }

                if (Images(message) is not { } images)
                {
                    w.WriteStartObject();
                    foreach (var property in message.EnumerateObject())
                    {
                        if (!property.NameEquals("images"u8))
                        {
                            property.WriteTo(w);
                        }
                    }

                    w.WriteEndObject();
                    continue;
                }

                w.WriteStartObject();
                foreach (var property in message.EnumerateObject())
                {
                    if (!property.NameEquals("images"u8) && !property.NameEquals("content"u8))
                    {
                        property.WriteTo(w);
                    }
                }

                w.WriteStartArray("content"u8);
                var text = Content(message);
                if (text.Length > 0)
                {
                    w.WriteStartObject();
                    w.WriteString("type"u8, "text");
                    w.WriteString("text"u8, text);
                    w.WriteEndObject();
                }

                foreach (var image in images)
                {
                    var (data, mime, url) = Media(image, "openai_messages");
                    w.WriteStartObject();
                    w.WriteString("type"u8, "image_url");
                    w.WriteStartObject("image_url"u8);
                    w.WriteString("url"u8, data is null ? url : $"data:{mime ?? "application/octet-stream"};base64,{data}");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>
    /// Anthropic Messages: system messages left out (they go in "system"); images become image blocks before the text; an
    /// assistant's tool calls become tool_use blocks after its text; tools' results become tool_result blocks of one user
    /// message (consecutive results together, as the API requires).
    /// </summary>
    private static JsonElement AnthropicMessages(JsonElement v)
    {
        RequireMessages(v, "anthropic_messages");
        return JsonValues.Write(v, static (w, messages) =>
        {
            w.WriteStartArray();
            var inResults = false;
            foreach (var message in messages.EnumerateArray())
            {
                var role = Role(message);
                if (role == "system")
                {
                    continue;
                }

                if (ToolCallId(message) is { } callId)
                {
                    if (!inResults)
                    {
                        w.WriteStartObject();
                        w.WriteString("role"u8, "user");
                        w.WriteStartArray("content"u8);
                        inResults = true;
                    }

                    w.WriteStartObject();
                    w.WriteString("type"u8, "tool_result");
                    w.WriteString("tool_use_id"u8, callId);
                    w.WriteString("content"u8, Content(message));
                    w.WriteEndObject();
                    continue;
                }

                if (inResults)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                    inResults = false;
                }

                if (ToolCalls(message) is { } calls)
                {
                    w.WriteStartObject();
                    w.WriteString("role"u8, role);
                    w.WriteStartArray("content"u8);
                    var content = Content(message);
                    if (content.Length > 0)
                    {
                        w.WriteStartObject();
                        w.WriteString("type"u8, "text");
                        w.WriteString("text"u8, content);
                        w.WriteEndObject();
                    }

                    foreach (var call in calls)
                    {
                        var (id, name, arguments) = ToolCall(call, "anthropic_messages");
                        w.WriteStartObject();
                        w.WriteString("type"u8, "tool_use");
                        w.WriteString("id"u8, id);
                        w.WriteString("name"u8, name);
                        w.WritePropertyName("input"u8);
                        arguments.WriteTo(w);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("role"u8, role);
                if (Images(message) is not { } images)
                {
                    w.WriteString("content"u8, Content(message));
                    w.WriteEndObject();
                    continue;
                }

                w.WriteStartArray("content"u8);
                foreach (var image in images)
                {
                    var (data, mime, url) = Media(image, "anthropic_messages");
                    w.WriteStartObject();
                    w.WriteString("type"u8, "image");
                    w.WriteStartObject("source"u8);
                    if (data is not null)
                    {
                        w.WriteString("type"u8, "base64");
                        w.WriteString("media_type"u8, mime ?? throw new FormatException("anthropic_messages: an inline image needs its mime_type (image/jpeg, image/png, image/gif or image/webp)"));
                        w.WriteString("data"u8, data);
                    }
                    else
                    {
                        w.WriteString("type"u8, "url");
                        w.WriteString("url"u8, url);
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                var text = Content(message);
                if (text.Length > 0)
                {
                    w.WriteStartObject();
                    w.WriteString("type"u8, "text");
                    w.WriteString("text"u8, text);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            if (inResults)
            {
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>Joins the <paramref name="property"/> of the blocks of type <paramref name="type"/> in a content array (Anthropic, Cohere v2).</summary>
    private static JsonElement JoinBlocks(JsonElement v, string converter, string type, string property, bool emptyIsNull)
    {
        if (IsNull(v) || v.ValueKind == JsonValueKind.String)
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{converter} takes a list of content blocks [{{\"type\": \"{type}\", \"{property}\": ...}}], not a JSON {v.ValueKind.ToString().ToLowerInvariant()}");
        }

        var sb = new StringBuilder();
        var any = false;
        foreach (var block in v.EnumerateArray())
        {
            if (block.ValueKind == JsonValueKind.Object
                && block.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type
                && block.TryGetProperty(property, out var text) && text.ValueKind == JsonValueKind.String)
            {
                sb.Append(text.GetString());
                any = true;
            }
        }

        return !any && emptyIsNull ? JsonValues.Null : JsonValues.String(sb.ToString());
    }

    /// <summary>
    /// Gemini contents: system messages left out (they go in systemInstruction), assistant → model, text and inline_data /
    /// file_data parts; an assistant's tool calls become functionCall parts, tools' results functionResponse parts of one
    /// user content (consecutive results together).
    /// </summary>
    private static JsonElement GeminiContents(JsonElement v)
    {
        RequireMessages(v, "gemini_contents");
        return JsonValues.Write(v, static (w, messages) =>
        {
            w.WriteStartArray();
            var inResults = false;
            foreach (var message in messages.EnumerateArray())
            {
                var role = Role(message);
                if (role == "system")
                {
                    continue;
                }

                if (ToolCallId(message) is { } callId)
                {
                    if (!inResults)
                    {
                        w.WriteStartObject();
                        w.WriteString("role"u8, "user");
                        w.WriteStartArray("parts"u8);
                        inResults = true;
                    }

                    w.WriteStartObject();
                    w.WriteStartObject("functionResponse"u8);
                    w.WriteString("name"u8, ToolName(message) ?? throw new FormatException($"gemini_contents: the result of tool call '{callId}' has no function name, and Gemini needs one; send the assistant message that made the call before its result"));
                    w.WritePropertyName("response"u8);
                    WriteFunctionResponse(w, Content(message));
                    w.WriteEndObject();
                    w.WriteEndObject();
                    continue;
                }

                if (inResults)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                    inResults = false;
                }

                w.WriteStartObject();
                w.WriteString("role"u8, role is "assistant" or "model" ? "model" : "user");
                w.WriteStartArray("parts"u8);
                var text = Content(message);
                var images = Images(message);
                var calls = ToolCalls(message);
                if (calls is { } callList)
                {
                    if (text.Length > 0)
                    {
                        w.WriteStartObject();
                        w.WriteString("text"u8, text);
                        w.WriteEndObject();
                    }

                    foreach (var call in callList)
                    {
                        var (_, name, arguments) = ToolCall(call, "gemini_contents");
                        w.WriteStartObject();
                        w.WriteStartObject("functionCall"u8);
                        w.WriteString("name"u8, name);
                        w.WritePropertyName("args"u8);
                        arguments.WriteTo(w);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                    continue;
                }

                if (text.Length > 0 || images is null)
                {
                    w.WriteStartObject();
                    w.WriteString("text"u8, text);
                    w.WriteEndObject();
                }

                if (images is { } list)
                {
                    foreach (var image in list)
                    {
                        var (data, mime, url) = Media(image, "gemini_contents");
                        w.WriteStartObject();
                        if (data is not null)
                        {
                            w.WriteStartObject("inline_data"u8);
                            w.WriteString("mime_type"u8, mime ?? throw new FormatException("gemini_contents: an inline image needs its mime_type"));
                            w.WriteString("data"u8, data);
                        }
                        else
                        {
                            w.WriteStartObject("file_data"u8);
                            if (mime is not null)
                            {
                                w.WriteString("mime_type"u8, mime);
                            }

                            w.WriteString("file_uri"u8, url);
                        }

                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            if (inResults)
            {
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>A tool's result as Gemini's functionResponse.response (an object): a JSON object as it is, anything else as <c>{"result": ...}</c>.</summary>
    private static void WriteFunctionResponse(Utf8JsonWriter w, string content)
    {
        JsonElement? parsed = null;
        try
        {
            parsed = JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(content));
        }
        catch (JsonException)
        {
            // plain text
        }

        if (parsed is { ValueKind: JsonValueKind.Object } obj)
        {
            obj.WriteTo(w);
            return;
        }

        w.WriteStartObject();
        w.WritePropertyName("result"u8);
        if (parsed is { } value)
        {
            value.WriteTo(w);
        }
        else
        {
            w.WriteStringValue(content);
        }

        w.WriteEndObject();
    }

    /// <summary>The system prompt a <c>*_system</c> converter takes: a string, or null (JSON null passes through).</summary>
    private static string? SystemPrompt(JsonElement v, string converter)
        => IsNull(v) ? null
            : v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new FormatException($"{converter} takes the system prompt as a string, not a JSON {v.ValueKind.ToString().ToLowerInvariant()}");

    /// <summary>A system prompt as Gemini's systemInstruction content: <c>{"parts": [{"text": ...}]}</c>.</summary>
    private static JsonElement GeminiSystem(JsonElement v)
    {
        if (SystemPrompt(v, "gemini_system") is not { } prompt)
        {
            return v;
        }

        return JsonValues.Write(prompt, static (w, text) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("parts"u8);
            w.WriteStartObject();
            w.WriteString("text"u8, text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Joins the text of Gemini parts: the answer (parts without "thought": true) or the thoughts (null when there are none).</summary>
    /// <summary>Ollama /api/chat messages: each message's images as a list of base64 strings (Ollama takes no image URLs).</summary>
    private static JsonElement OllamaMessages(JsonElement v)
    {
        RequireMessages(v, "ollama_messages");
        return JsonValues.Write(v, static (w, messages) =>
        {
            w.WriteStartArray();
            foreach (var message in messages.EnumerateArray())
            {
                w.WriteStartObject();
                w.WriteString("role"u8, Role(message));
                w.WriteString("content"u8, Content(message));
                if (ToolCallId(message) is not null && ToolName(message) is { } toolName)
                {
                    w.WriteString("tool_name"u8, toolName);
                }

                if (ToolCalls(message) is { } calls)
                {
                    // Ollama's tool calls: [{"function": {"name", "arguments": {...}}}], the arguments an object.
                    w.WriteStartArray("tool_calls"u8);
                    foreach (var call in calls)
                    {
                        var (_, name, arguments) = ToolCall(call, "ollama_messages");
                        w.WriteStartObject();
                        w.WriteStartObject("function"u8);
                        w.WriteString("name"u8, name);
                        w.WritePropertyName("arguments"u8);
                        arguments.WriteTo(w);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                if (Images(message) is { } images)
                {
                    w.WriteStartArray("images"u8);
                    foreach (var image in images)
                    {
                        var (data, _, url) = Media(image, "ollama_messages");
                        w.WriteStringValue(data ?? throw new FormatException($"ollama_messages: Ollama takes images as base64 data, not URLs ({url}); pass the image bytes (LlmMedia.FromBytes)"));
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>
    /// Amazon Bedrock Converse messages: system messages left out (they go in "system"), content as blocks: each image as
    /// <c>{"image": {"format", "source": {"bytes"}}}</c> (Converse takes image bytes only), then <c>{"text"}</c>.
    /// </summary>
    private static JsonElement BedrockMessages(JsonElement v)
    {
        RequireMessages(v, "bedrock_messages");
        return JsonValues.Write(v, static (w, messages) =>
        {
            w.WriteStartArray();
            foreach (var message in messages.EnumerateArray())
            {
                var role = Role(message);
                if (role == "system")
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("role"u8, role);
                w.WriteStartArray("content"u8);
                if (Images(message) is { } images)
                {
                    foreach (var image in images)
                    {
                        var (data, mime, url) = Media(image, "bedrock_messages");
                        var format = mime switch
                        {
                            "image/png" => "png",
                            "image/jpeg" or "image/jpg" => "jpeg",
                            "image/gif" => "gif",
                            "image/webp" => "webp",
                            _ => null,
                        };
                        if (data is null || format is null)
                        {
                            throw new FormatException(data is null
                                ? $"bedrock_messages: Converse takes images as bytes, not URLs ({url}); pass the image bytes (LlmMedia.FromBytes)"
                                : $"bedrock_messages: Converse takes png, jpeg, gif or webp images, not {mime ?? "an image without a mime_type"}");
                        }

                        w.WriteStartObject();
                        w.WriteStartObject("image"u8);
                        w.WriteString("format"u8, format);
                        w.WriteStartObject("source"u8);
                        w.WriteString("bytes"u8, data);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                }

                var text = Content(message);
                if (text.Length > 0 || Images(message) is null)
                {
                    w.WriteStartObject();
                    w.WriteString("text"u8, text);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>A system prompt as Bedrock Converse's <c>system</c>: <c>[{"text": ...}]</c>.</summary>
    private static JsonElement BedrockSystem(JsonElement v)
    {
        if (SystemPrompt(v, "bedrock_system") is not { } prompt)
        {
            return v;
        }

        return JsonValues.Write(prompt, static (w, text) =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("text"u8, text);
            w.WriteEndObject();
            w.WriteEndArray();
        });
    }
}
