using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Conversion;

/// <summary>The converters every catalog has. Each is documented in README "Converters".</summary>
/// <remarks>
/// Each is made on its first lookup and then kept: making all of them up front (a delegate each, in four static
/// constructors, and a table of them) cost a cold load about 10 ms of JIT and type loading, for the few a file names.
/// </remarks>
internal static class BuiltInConverters
{
    /// <summary>Every built-in's name: this class's, then <see cref="EmbeddingConverters"/>', <see cref="VendorConverters"/>' and <see cref="ToolConverters"/>'. Each <c>Create</c> makes the converters named here (a test checks that every name makes one of that name).</summary>
    private static readonly string[] AllNames =
    [
        "string", "int", "float", "bool", "json_string", "json", "base64", "data_url", "messages_to_prompt", "minimax_messages", "system_to_user", "join",
        "gemini_embed_requests",
        "openai_messages", "anthropic_messages", "anthropic_text", "anthropic_thinking", "gemini_contents", "gemini_system", "gemini_text", "gemini_thoughts", "ollama_messages", "dashscope_input", "bedrock_messages", "bedrock_system", "bedrock_text",
        "openai_tools", "openai_tool_choice", "openai_response_format", "anthropic_tools", "anthropic_tool_choice", "gemini_tools", "gemini_tool_config", "gemini_generation_config", "ollama_format", "cohere_tool_choice", "cohere_response_format", "dashscope_parameters",
    ];

    private static readonly ILlmConverter?[] Made = new ILlmConverter?[AllNames.Length];

    public static IReadOnlyList<string> Names => AllNames;

    public static bool Contains(string name) => Array.IndexOf(AllNames, name) >= 0;

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmConverter? converter)
    {
        var index = Array.IndexOf(AllNames, name);
        if (index < 0)
        {
            converter = null;
            return false;
        }

        if (Volatile.Read(ref Made[index]) is not { } made)
        {
            // Two threads may both make it: the first one stored is the one every lookup returns.
            made = Create(index);
            made = Interlocked.CompareExchange(ref Made[index], made, null) ?? made;
        }

        converter = made;
        return true;
    }

    // AllNames holds this class's names, then the blocks of EmbeddingConverters, VendorConverters and ToolConverters.
    private const int EmbeddingStart = 12;
    private const int VendorStart = EmbeddingStart + 1;
    private const int ToolStart = VendorStart + 13;

    /// <summary>The built-in at <paramref name="index"/> of <see cref="AllNames"/>, newly made (<see cref="TryGet"/> keeps each one made).</summary>
    /// <remarks>
    /// By index rather than by name: a switch over 38 names compiles to string hashing and comparisons, several times the
    /// code of these jump tables, which a cold load has to JIT. A test checks that every name makes the converter of that name.
    /// </remarks>
    private static ILlmConverter Create(int index) => index switch
    {
        0 => LlmConverter.Create("string", ToStringValue),
        1 => LlmConverter.Create("int", ToInt),
        2 => LlmConverter.Create("float", ToFloat),
        3 => LlmConverter.Create("bool", ToBool),
        4 => LlmConverter.Create("json_string", ToJsonString),
        5 => LlmConverter.Create("json", ParseJson),
        6 => LlmConverter.Create("base64", ToBase64),
        7 => LlmConverter.Create("data_url", ToDataUrl),
        8 => LlmConverter.Create("messages_to_prompt", MessagesToPrompt),
        9 => LlmConverter.Create("minimax_messages", MiniMaxMessages),
        10 => LlmConverter.Create("system_to_user", SystemToUser),
        11 => JoinConverter.Default,
        < VendorStart => EmbeddingConverters.Create(index - EmbeddingStart),
        < ToolStart => VendorConverters.Create(index - VendorStart),
        _ => ToolConverters.Create(index - ToolStart),
    };

    private static bool IsNull(JsonElement v) => v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static JsonElement ToStringValue(JsonElement v) => IsNull(v) || v.ValueKind == JsonValueKind.String ? v : JsonValues.String(JsonValues.ToText(v));

    private static JsonElement ToInt(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                return v.TryGetInt64(out _) ? v : JsonValues.Number((long)Math.Truncate(v.GetDouble()));
            case JsonValueKind.String:
                var s = v.GetString()!.Trim();
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
                {
                    return JsonValues.Number(l);
                }

                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                {
                    return JsonValues.Number((long)Math.Truncate(d));
                }

                throw new FormatException($"'{s}' is not an integer");
            case JsonValueKind.True: return JsonValues.Number(1);
            case JsonValueKind.False: return JsonValues.Number(0);
            case JsonValueKind.Null or JsonValueKind.Undefined: return v;
            default: throw new FormatException($"a JSON {v.ValueKind.ToString().ToLowerInvariant()} is not an integer");
        }
    }

    private static JsonElement ToFloat(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number: return v;
            case JsonValueKind.String:
                var s = v.GetString()!.Trim();
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                {
                    return JsonValues.Number(d);
                }

                throw new FormatException($"'{s}' is not a number");
            case JsonValueKind.True: return JsonValues.Number(1);
            case JsonValueKind.False: return JsonValues.Number(0);
            case JsonValueKind.Null or JsonValueKind.Undefined: return v;
            default: throw new FormatException($"a JSON {v.ValueKind.ToString().ToLowerInvariant()} is not a number");
        }
    }

    private static JsonElement ToBool(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined: return v;
            case JsonValueKind.Number: return JsonValues.Bool(v.GetDouble() != 0);
            case JsonValueKind.String:
                var s = v.GetString()!.Trim().ToLowerInvariant();
                return s switch
                {
                    "true" or "1" or "yes" or "on" => JsonValues.True,
                    "false" or "0" or "no" or "off" or "" => JsonValues.False,
                    _ => throw new FormatException($"'{s}' is not a boolean (true/false, 1/0, yes/no, on/off)"),
                };
            default: throw new FormatException($"a JSON {v.ValueKind.ToString().ToLowerInvariant()} is not a boolean");
        }
    }

    private static JsonElement ToJsonString(JsonElement v) => JsonValues.String(IsNull(v) ? "null" : v.GetRawText());

    private static JsonElement ParseJson(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.String)
        {
            return v;
        }

        try
        {
            return JsonValues.Parse(Encoding.UTF8.GetBytes(v.GetString()!));
        }
        catch (JsonException e)
        {
            throw new FormatException($"the text is not valid JSON ({e.Message})", e);
        }
    }

    private static JsonElement ToBase64(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String: return JsonValues.String(Convert.ToBase64String(Encoding.UTF8.GetBytes(v.GetString()!)));
            case JsonValueKind.Object when v.TryGetProperty("data"u8, out var data): return data;
            case JsonValueKind.Array: return MapArray(v, ToBase64);
            case JsonValueKind.Null or JsonValueKind.Undefined: return v;
            default: throw new FormatException("base64 takes a string or a media item with inline data");
        }
    }

    private static JsonElement ToDataUrl(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String: return v;
            case JsonValueKind.Array: return MapArray(v, ToDataUrl);
            case JsonValueKind.Null or JsonValueKind.Undefined: return v;
            case JsonValueKind.Object:
                if (v.TryGetProperty("data"u8, out var data) && data.ValueKind == JsonValueKind.String)
                {
                    var mime = v.TryGetProperty("mime_type"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "application/octet-stream";
                    return JsonValues.String($"data:{mime};base64,{data.GetString()}");
                }

                if (v.TryGetProperty("url"u8, out var url) && url.ValueKind == JsonValueKind.String)
                {
                    return url;
                }

                throw new FormatException("data_url takes a media item with 'data' and 'mime_type', or with 'url'");
            default: throw new FormatException("data_url takes a media item, a list of media items, or a URL string");
        }
    }

    private static JsonElement MessagesToPrompt(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String || IsNull(v))
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("messages_to_prompt takes a list of {role, content} messages");
        }

        var sb = new StringBuilder();
        foreach (var message in v.EnumerateArray())
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            if (message.ValueKind == JsonValueKind.Object)
            {
                var role = message.TryGetProperty("role"u8, out var r) ? JsonValues.ToText(r) : string.Empty;
                var content = message.TryGetProperty("content"u8, out var c) ? JsonValues.ToText(c) : string.Empty;
                sb.Append(role).Append(": ").Append(content);
            }
            else
            {
                sb.Append(JsonValues.ToText(message));
            }
        }

        return JsonValues.String(sb.ToString());
    }

    /// <summary>Chat history in MiniMax chatcompletion_pro's shape: user → USER, assistant → BOT named "MM助手"; system messages are left out (they belong in bot_setting).</summary>
    private static JsonElement MiniMaxMessages(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("minimax_messages takes a list of {role, content} messages");
        }

        return JsonValues.Write(v, static (w, messages) =>
        {
            w.WriteStartArray();
            foreach (var message in messages.EnumerateArray())
            {
                var role = message.TryGetProperty("role"u8, out var r) ? JsonValues.ToText(r) : "user";
                if (role == "system")
                {
                    continue;
                }

                var bot = role is "assistant" or "bot";
                w.WriteStartObject();
                w.WriteString("sender_type"u8, bot ? "BOT" : "USER");
                w.WriteString("sender_name"u8, bot ? "MM助手" : "用户");
                w.WriteString("text"u8, message.TryGetProperty("content"u8, out var c) ? JsonValues.ToText(c) : string.Empty);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>
    /// For vendors with no system role: the system messages are taken out of the history and their text (joined by a
    /// blank line) is put before the first user message's text, separated by a blank line; a history with no user message
    /// gets it as a user message of its own, first. Other messages, and a history without system messages, are unchanged.
    /// </summary>
    private static JsonElement SystemToUser(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.Object))
        {
            throw new FormatException($"system_to_user takes a list of {{role, content}} messages, not a JSON {v.ValueKind.ToString().ToLowerInvariant()}");
        }

        static string Role(JsonElement m) => m.TryGetProperty("role"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : string.Empty;
        var system = string.Join("\n\n", v.EnumerateArray().Where(m => Role(m) == "system").Select(m => m.TryGetProperty("content"u8, out var c) ? JsonValues.ToText(c) : string.Empty));
        if (!v.EnumerateArray().Any(m => Role(m) == "system"))
        {
            return v;
        }

        var firstUser = v.EnumerateArray().Select((m, i) => (m, i)).FirstOrDefault(p => Role(p.m) == "user", (default, -1)).Item2;
        if (firstUser >= 0 && v[firstUser].TryGetProperty("content"u8, out var userContent) && userContent.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            throw new FormatException($"system_to_user puts the system prompt before the first user message's text, but its content is a JSON {userContent.ValueKind.ToString().ToLowerInvariant()}");
        }

        return JsonValues.Write((v, system, firstUser), static (w, s) =>
        {
            w.WriteStartArray();
            if (s.firstUser < 0)
            {
                w.WriteStartObject();
                w.WriteString("role"u8, "user");
                w.WriteString("content"u8, s.system);
                w.WriteEndObject();
            }

            var index = -1;
            foreach (var message in s.v.EnumerateArray())
            {
                index++;
                if (Role(message) == "system")
                {
                    continue;
                }

                if (index != s.firstUser)
                {
                    message.WriteTo(w);
                    continue;
                }

                w.WriteStartObject();
                var wroteContent = false;
                foreach (var property in message.EnumerateObject())
                {
                    if (property.NameEquals("content"u8))
                    {
                        var text = JsonValues.ToText(property.Value);
                        w.WriteString("content"u8, text.Length == 0 ? s.system : s.system + "\n\n" + text);
                        wroteContent = true;
                    }
                    else
                    {
                        property.WriteTo(w);
                    }
                }

                if (!wroteContent)
                {
                    w.WriteString("content"u8, s.system);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static JsonElement MapArray(JsonElement array, Func<JsonElement, JsonElement> map)
        => JsonValues.Write((array, map), static (w, s) =>
        {
            w.WriteStartArray();
            foreach (var item in s.array.EnumerateArray())
            {
                s.map(item).WriteTo(w);
            }

            w.WriteEndArray();
        });
}
