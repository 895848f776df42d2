using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Templates;

/// <summary>Fills the standard variables (<c>messages</c>, <c>prompt</c>, <c>system</c>, <c>model</c>, <c>max_tokens</c>, <c>temperature</c>, <c>images</c>, <c>videos</c>, <c>tools</c>, <c>tool_choice</c>, <c>response_format</c>) from a request.</summary>
internal static class StandardVariables
{
    private static readonly string[] Names = ["messages", "prompt", "system", "model", "max_tokens", "temperature", "images", "videos", "tools", "tool_choice", "response_format"];

    /// <summary>The standard variables of a request, each built only when a template asks for it: a call that does not use <c>prompt</c> never builds it.</summary>
    public static IReadOnlyDictionary<string, JsonElement> From(LlmRequest request) => new Lazy(request);

    /// <summary>All standard variables that have a value.</summary>
    public static Dictionary<string, JsonElement> All(LlmRequest request)
    {
        var vars = new Dictionary<string, JsonElement>(Names.Length, StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
        {
            if (Build(request, i) is { } value)
            {
                vars[Names[i]] = value;
            }
        }

        return vars;
    }

    /// <summary>The value of <c>Names[index]</c>, or null when the request gives it none.</summary>
    private static JsonElement? Build(LlmRequest request, int index) => index switch
    {
        _ when !HasValue(request, index) => null,
        4 => JsonValues.Number(request.MaxTokens!.Value),
        5 => JsonValues.Number(request.Temperature!.Value),
        _ => JsonValues.Write((request, index), static (w, s) => WriteValue(w, s.request, s.index)),
    };

    /// <summary>Whether the request gives <c>Names[index]</c> a value.</summary>
    private static bool HasValue(LlmRequest request, int index) => index switch
    {
        0 => request.Messages.Count > 0 || request.Prompt is not null,
        1 => Prompt(request) is not null,
        2 => System(request) is not null,
        3 => request.Model is not null,
        4 => request.MaxTokens is not null,
        5 => request.Temperature is not null,
        6 => AllImages(request).Count > 0,
        7 => request.Videos.Count > 0,
        8 => request.Tools.Count > 0,
        // "auto" and "text" are every vendor's defaults: they leave the variable unset, so no call sends what it need not.
        9 => request.ToolChoice is { Kind: not LlmToolChoiceKind.Auto },
        _ => request.ResponseFormat is { Kind: not LlmResponseFormatKind.Text },
    };

    /// <summary>Writes the value of <c>Names[index]</c>, which <see cref="HasValue"/> says the request has.</summary>
    private static void WriteValue(Utf8JsonWriter w, LlmRequest request, int index)
    {
        switch (index)
        {
            case 0: WriteMessages(w, request); break;
            case 1: w.WriteStringValue(Prompt(request)); break;
            case 2: w.WriteStringValue(System(request)); break;
            case 3: w.WriteStringValue(request.Model); break;
            case 4: w.WriteNumberValue(request.MaxTokens!.Value); break;
            case 5: w.WriteNumberValue(request.Temperature!.Value); break;
            case 6: WriteMedia(w, AllImages(request)); break;
            case 7: WriteMedia(w, request.Videos); break;
            case 8: WriteTools(w, request.Tools); break;
            case 9: WriteToolChoice(w, request.ToolChoice!); break;
            default: WriteResponseFormat(w, request.ResponseFormat!); break;
        }
    }

    private static string? System(LlmRequest request)
    {
        if (request.System is not null)
        {
            return request.System;
        }

        foreach (var m in request.Messages)
        {
            if (m.Role == "system")
            {
                return m.Content;
            }
        }

        return null;
    }

    private static string? Prompt(LlmRequest request)
    {
        if (request.Prompt is not null)
        {
            return request.Prompt;
        }

        for (var i = request.Messages.Count - 1; i >= 0; i--)
        {
            if (request.Messages[i].Role == "user")
            {
                return request.Messages[i].Content;
            }
        }

        return null;
    }

    private static void WriteMessages(Utf8JsonWriter w, LlmRequest r)
    {
        w.WriteStartArray();
        if (r.System is not null && (r.Messages.Count == 0 || r.Messages[0].Role != "system"))
        {
            JsonValues.WriteMessage(w, LlmMessage.System(r.System));
        }

        // LlmRequest.Images belong to the last user message (the question about them).
        var lastUser = -1;
        for (var i = r.Messages.Count - 1; i >= 0; i--)
        {
            if (r.Messages[i].Role == "user")
            {
                lastUser = i;
                break;
            }
        }

        Dictionary<string, string>? toolNames = null;
        for (var i = 0; i < r.Messages.Count; i++)
        {
            var message = r.Messages[i];
            string? toolName = null;
            if (message.ToolCallId is { } callId)
            {
                // A tool's result names its function (Gemini's functionResponse needs it): found in the call it answers.
                toolNames ??= ToolNames(r.Messages);
                toolNames.TryGetValue(callId, out toolName);
            }

            JsonValues.WriteMessage(w, message, i == lastUser ? r.Images : null, toolName);
        }

        if (r.Messages.Count == 0)
        {
            // A prompt alone is a one-turn chat, so chat adapters work with LlmRequest { Prompt = ... }.
            JsonValues.WriteMessage(w, LlmMessage.User(r.Prompt!), r.Images);
        }

        w.WriteEndArray();
    }

    /// <summary>True when a message calls tools or carries a tool's result: its standard shape then differs from OpenAI's.</summary>
    public static bool HasToolMessages(LlmRequest request)
    {
        foreach (var message in request.Messages)
        {
            if (message.ToolCalls.Count > 0 || message.ToolCallId is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, string> ToolNames(IReadOnlyList<LlmMessage> messages)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            foreach (var call in message.ToolCalls)
            {
                names[call.Id] = call.Name;
            }
        }

        return names;
    }

    private static void WriteTools(Utf8JsonWriter w, IReadOnlyList<LlmTool> tools)
    {
        w.WriteStartArray();
        foreach (var tool in tools)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, tool.Name);
            if (tool.Description is not null)
            {
                w.WriteString("description"u8, tool.Description);
            }

            w.WritePropertyName("parameters"u8);
            if (tool.Parameters.ValueKind == JsonValueKind.Object)
            {
                tool.Parameters.WriteTo(w);
            }
            else if (tool.Parameters.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                // No schema: a function without parameters.
                w.WriteStartObject();
                w.WriteString("type"u8, "object");
                w.WriteStartObject("properties"u8);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                throw new LlmRequestException($"The parameters of tool '{tool.Name}' must be a JSON Schema object, not a JSON {tool.Parameters.ValueKind.ToString().ToLowerInvariant()}; nothing was sent.");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter w, LlmToolChoice choice)
    {
        switch (choice.Kind)
        {
            case LlmToolChoiceKind.Auto: w.WriteStringValue("auto"u8); break;
            case LlmToolChoiceKind.None: w.WriteStringValue("none"u8); break;
            case LlmToolChoiceKind.Required: w.WriteStringValue("required"u8); break;
            case LlmToolChoiceKind.Tool:
                w.WriteStartObject();
                w.WriteString("name"u8, choice.ToolName);
                w.WriteEndObject();
                break;
            default: throw new InvalidOperationException($"Unknown tool choice kind {choice.Kind}.");
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter w, LlmResponseFormat format)
    {
        w.WriteStartObject();
        switch (format.Kind)
        {
            case LlmResponseFormatKind.Text: w.WriteString("type"u8, "text"); break;
            case LlmResponseFormatKind.Json: w.WriteString("type"u8, "json"); break;
            case LlmResponseFormatKind.JsonSchema:
                w.WriteString("type"u8, "json_schema");
                w.WriteString("name"u8, format.SchemaName);
                if (format.SchemaDescription is not null)
                {
                    w.WriteString("description"u8, format.SchemaDescription);
                }

                w.WritePropertyName("schema"u8);
                format.Schema!.Value.WriteTo(w);
                break;
            default: throw new InvalidOperationException($"Unknown response format kind {format.Kind}.");
        }

        w.WriteEndObject();
    }

    /// <summary>Every image of the request: those of its messages, then <see cref="LlmRequest.Images"/>.</summary>
    public static IReadOnlyList<LlmMedia> AllImages(LlmRequest request)
    {
        var any = false;
        foreach (var m in request.Messages)
        {
            any |= m.Images.Count > 0;
        }

        return any ? [.. request.Messages.SelectMany(m => m.Images), .. request.Images] : request.Images;
    }

    public static Dictionary<string, JsonElement>? FromUser(IReadOnlyDictionary<string, object?> variables)
    {
        if (variables.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, JsonElement>(variables.Count, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            result[name] = JsonValues.FromObject(value, name);
        }

        return result;
    }

    private static void WriteMedia(Utf8JsonWriter w, IReadOnlyList<LlmMedia> items)
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            JsonValues.WriteMedia(w, item);
        }

        w.WriteEndArray();
    }

    /// <summary>A read-only view that builds a standard variable on first use and keeps it for the rest of the call.</summary>
    /// <remarks>One per call, used by that call only (a retry reuses it): not thread-safe, and need not be.</remarks>
    internal sealed class Lazy(LlmRequest request) : IReadOnlyDictionary<string, JsonElement>
    {
        private readonly JsonElement[] _values = new JsonElement[Names.Length];
        private int _built; // bit i: Names[i] was built
        private int _present; // bit i: Names[i] has a value

        /// <summary>
        /// Writes a standard variable straight into a request body, without building its value first: the messages of a
        /// chat go from the request to the body in one pass. False when <paramref name="key"/> is not a standard variable
        /// or the request gives it no value.
        /// </summary>
        public bool TryWrite(string key, Utf8JsonWriter writer)
        {
            var index = Array.IndexOf(Names, key);
            if (index < 0)
            {
                return false;
            }

            var bit = 1 << index;
            if ((_built & bit) != 0)
            {
                if ((_present & bit) == 0)
                {
                    return false;
                }

                _values[index].WriteTo(writer);
                return true;
            }

            if (!HasValue(request, index))
            {
                _built |= bit; // known to be absent
                return false;
            }

            WriteValue(writer, request, index);
            return true;
        }

        public bool TryGetValue(string key, out JsonElement value)
        {
            var index = Array.IndexOf(Names, key);
            if (index < 0)
            {
                value = default;
                return false;
            }

            var bit = 1 << index;
            if ((_built & bit) == 0)
            {
                if (Build(request, index) is { } built)
                {
                    _values[index] = built;
                    _present |= bit;
                }

                _built |= bit;
            }

            value = _values[index];
            return (_present & bit) != 0;
        }

        public bool TryWriteMessagesWithoutImages(Utf8JsonWriter writer) => AllImages(request).Count == 0 && !HasToolMessages(request) && TryWrite("messages", writer);

        public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => All(request).Keys;

        public IEnumerable<JsonElement> Values => All(request).Values;

        public int Count => All(request).Count;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => All(request).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
