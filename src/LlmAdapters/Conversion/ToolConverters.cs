using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Conversion;

/// <summary>
/// Converters for tools, tool choices and response formats: each takes a standard variable (<c>${tools}</c>
/// <c>[{name, description?, parameters}]</c>, <c>${tool_choice}</c> <c>"none" | "required" | {"name"}</c>,
/// <c>${response_format}</c> <c>{"type": "json" | "json_schema", name?, description?, schema?}</c>) and returns the vendor's
/// shape; a value the vendor cannot express is a <see cref="FormatException"/>, which fails the request before it is sent.
/// </summary>
internal static class ToolConverters
{
    /// <summary>The converter at <paramref name="index"/> of this class's block of <see cref="BuiltInConverters"/>' names, newly made.</summary>
    public static ILlmConverter Create(int index) => index switch
    {
        0 => LlmConverter.Create("openai_tools", OpenAiTools),
        1 => LlmConverter.Create("openai_tool_choice", OpenAiToolChoice),
        2 => LlmConverter.Create("openai_response_format", OpenAiResponseFormat),
        3 => LlmConverter.Create("anthropic_tools", AnthropicTools),
        4 => LlmConverter.Create("anthropic_tool_choice", AnthropicToolChoice),
        5 => LlmConverter.Create("gemini_tools", GeminiTools),
        6 => LlmConverter.Create("gemini_tool_config", GeminiToolConfig),
        7 => LlmConverter.Create("gemini_generation_config", GeminiGenerationConfig),
        8 => LlmConverter.Create("ollama_format", OllamaFormat),
        9 => LlmConverter.Create("cohere_tool_choice", CohereToolChoice),
        10 => LlmConverter.Create("cohere_response_format", CohereResponseFormat),
        11 => LlmConverter.Create("dashscope_parameters", DashScopeParameters),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    private static bool IsNull(JsonElement v) => v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static string Kind(JsonElement v) => v.ValueKind.ToString().ToLowerInvariant();

    /// <summary>The standard tools, checked: a list of <c>{name, description?, parameters}</c>.</summary>
    private static JsonElement.ArrayEnumerator Tools(JsonElement v, string converter)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{converter} takes a list of tools [{{\"name\", \"description\", \"parameters\"}}], not a JSON {Kind(v)}");
        }

        foreach (var tool in v.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"{converter} takes a list of tools [{{\"name\", \"description\", \"parameters\"}}]; one item has no \"name\"");
            }
        }

        return v.EnumerateArray();
    }

    /// <summary>Writes a tool's name, description (when it has one) and its parameters' schema under <paramref name="schemaKey"/>.</summary>
    private static void WriteFunction(Utf8JsonWriter w, JsonElement tool, ReadOnlySpan<byte> schemaKey)
    {
        w.WriteString("name"u8, tool.GetProperty("name"u8).GetString());
        if (tool.TryGetProperty("description"u8, out var description) && description.ValueKind == JsonValueKind.String)
        {
            w.WriteString("description"u8, description.GetString());
        }

        w.WritePropertyName(schemaKey);
        if (tool.TryGetProperty("parameters"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object)
        {
            parameters.WriteTo(w);
        }
        else
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "object");
            w.WriteStartObject("properties"u8);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    /// <summary>The mode of a standard tool choice (<c>none</c>, <c>required</c>, <c>auto</c>), or the named tool's name.</summary>
    private static (string? Mode, string? Tool) Choice(JsonElement v, string converter)
    {
        if (v.ValueKind == JsonValueKind.String && v.GetString() is "auto" or "none" or "required")
        {
            return (v.GetString(), null);
        }

        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String)
        {
            return (null, name.GetString());
        }

        throw new FormatException($"{converter} takes \"auto\", \"none\", \"required\" or {{\"name\": ...}}, not {v.GetRawText()}");
    }

    /// <summary>A standard response format's type (<c>json</c>, <c>json_schema</c>, <c>text</c>), name, description and schema.</summary>
    private static (string Type, string? Name, JsonElement Description, JsonElement Schema) Format(JsonElement v, string converter)
    {
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("type"u8, out var type) && type.GetString() is "text" or "json" or "json_schema")
        {
            var name = v.TryGetProperty("name"u8, out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var description = v.TryGetProperty("description"u8, out var d) ? d : default;
            var schema = v.TryGetProperty("schema"u8, out var s) ? s : default;
            if (type.GetString() == "json_schema" && schema.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{converter}: a json_schema response format needs its \"schema\" (a JSON object)");
            }

            return (type.GetString()!, name, description, schema);
        }

        throw new FormatException($"{converter} takes {{\"type\": \"text\" | \"json\" | \"json_schema\", ...}}, not {v.GetRawText()}");
    }

    /// <summary>OpenAI Chat Completions tools: <c>[{"type": "function", "function": {name, description, parameters}}]</c> (also Ollama, Cohere v2, DashScope).</summary>
    private static JsonElement OpenAiTools(JsonElement v) => IsNull(v) ? v : JsonValues.Write(Tools(v, "openai_tools"), static (w, tools) =>
    {
        w.WriteStartArray();
        foreach (var tool in tools)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "function");
            w.WriteStartObject("function"u8);
            WriteFunction(w, tool, "parameters"u8);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>OpenAI's tool_choice: <c>"none"</c>, <c>"required"</c>, <c>"auto"</c>, or <c>{"type": "function", "function": {"name"}}</c>.</summary>
    private static JsonElement OpenAiToolChoice(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var (mode, tool) = Choice(v, "openai_tool_choice");
        return mode is not null ? v : JsonValues.Write(tool!, static (w, name) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "function");
            w.WriteStartObject("function"u8);
            w.WriteString("name"u8, name);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>OpenAI's response_format: <c>{"type": "json_object"}</c> or <c>{"type": "json_schema", "json_schema": {name, description?, schema}}</c>.</summary>
    private static JsonElement OpenAiResponseFormat(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var format = Format(v, "openai_response_format");
        return JsonValues.Write(format, static (w, f) =>
        {
            w.WriteStartObject();
            switch (f.Type)
            {
                case "text": w.WriteString("type"u8, "text"); break;
                case "json": w.WriteString("type"u8, "json_object"); break;
                default:
                    w.WriteString("type"u8, "json_schema");
                    w.WriteStartObject("json_schema"u8);
                    w.WriteString("name"u8, f.Name ?? "response");
                    if (f.Description.ValueKind == JsonValueKind.String)
                    {
                        w.WritePropertyName("description"u8);
                        f.Description.WriteTo(w);
                    }

                    w.WritePropertyName("schema"u8);
                    f.Schema.WriteTo(w);
                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Anthropic Messages tools: <c>[{name, description, input_schema}]</c>.</summary>
    private static JsonElement AnthropicTools(JsonElement v) => IsNull(v) ? v : JsonValues.Write(Tools(v, "anthropic_tools"), static (w, tools) =>
    {
        w.WriteStartArray();
        foreach (var tool in tools)
        {
            w.WriteStartObject();
            WriteFunction(w, tool, "input_schema"u8);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>Anthropic's tool_choice: <c>{"type": "auto" | "any" | "none"}</c> or <c>{"type": "tool", "name"}</c>.</summary>
    private static JsonElement AnthropicToolChoice(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var choice = Choice(v, "anthropic_tool_choice");
        return JsonValues.Write(choice, static (w, c) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, c.Mode switch { null => "tool", "required" => "any", var mode => mode });
            if (c.Tool is not null)
            {
                w.WriteString("name"u8, c.Tool);
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Gemini tools: <c>[{"functionDeclarations": [{name, description, parameters}]}]</c>.</summary>
    private static JsonElement GeminiTools(JsonElement v) => IsNull(v) ? v : JsonValues.Write(Tools(v, "gemini_tools"), static (w, tools) =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteStartArray("functionDeclarations"u8);
        foreach (var tool in tools)
        {
            w.WriteStartObject();
            WriteFunction(w, tool, "parameters"u8);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary>Gemini's toolConfig: <c>{"functionCallingConfig": {"mode": "AUTO" | "NONE" | "ANY", "allowedFunctionNames"?}}</c>.</summary>
    private static JsonElement GeminiToolConfig(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var choice = Choice(v, "gemini_tool_config");
        return JsonValues.Write(choice, static (w, c) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("functionCallingConfig"u8);
            w.WriteString("mode"u8, c.Mode switch { "none" => "NONE", "auto" => "AUTO", _ => "ANY" });
            if (c.Tool is not null)
            {
                w.WriteStartArray("allowedFunctionNames"u8);
                w.WriteStringValue(c.Tool);
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// Gemini's generationConfig with its <c>response_format</c> member (the standard variable, placed there by the
    /// definition) replaced by <c>responseMimeType</c> (<c>application/json</c>) and, for a schema, <c>responseSchema</c>.
    /// </summary>
    private static JsonElement GeminiGenerationConfig(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"gemini_generation_config takes the generationConfig object, not a JSON {Kind(v)}");
        }

        if (!v.TryGetProperty("response_format"u8, out var format))
        {
            return v;
        }

        var parsed = Format(format, "gemini_generation_config");
        return JsonValues.Write((v, parsed), static (w, s) =>
        {
            w.WriteStartObject();
            foreach (var property in s.v.EnumerateObject())
            {
                if (!property.NameEquals("response_format"u8))
                {
                    property.WriteTo(w);
                }
            }

            if (s.parsed.Type != "text")
            {
                w.WriteString("responseMimeType"u8, "application/json");
            }

            if (s.parsed.Type == "json_schema")
            {
                w.WritePropertyName("responseSchema"u8);
                s.parsed.Schema.WriteTo(w);
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Ollama's format: <c>"json"</c>, or the JSON Schema itself.</summary>
    private static JsonElement OllamaFormat(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var format = Format(v, "ollama_format");
        return format.Type switch
        {
            "json" => JsonValues.String("json"),
            "json_schema" => format.Schema,
            _ => throw new FormatException("ollama_format: Ollama has no text format; leave the response format unset for text"),
        };
    }

    /// <summary>Cohere v2's tool_choice: <c>"REQUIRED"</c> or <c>"NONE"</c>; it cannot name one tool.</summary>
    private static JsonElement CohereToolChoice(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var (mode, tool) = Choice(v, "cohere_tool_choice");
        return mode switch
        {
            "required" => JsonValues.String("REQUIRED"),
            "none" => JsonValues.String("NONE"),
            _ => throw new FormatException($"cohere_tool_choice: Cohere's tool_choice is REQUIRED or NONE; it cannot {(tool is null ? $"express \"{mode}\"" : $"force the tool '{tool}'")}"),
        };
    }

    /// <summary>Cohere v2's response_format: <c>{"type": "json_object", "json_schema"?: {...}}</c>.</summary>
    private static JsonElement CohereResponseFormat(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        var format = Format(v, "cohere_response_format");
        return JsonValues.Write(format, static (w, f) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, f.Type == "text" ? "text" : "json_object");
            if (f.Type == "json_schema")
            {
                w.WritePropertyName("json_schema"u8);
                f.Schema.WriteTo(w);
            }

            w.WriteEndObject();
        });
    }

    /// <summary>
    /// DashScope native text generation's <c>parameters</c> object with its <c>tools</c> member (the standard variable,
    /// placed there by the definition) in OpenAI's shape and its <c>tool_choice</c> member as <c>"auto"</c>, <c>"none"</c>
    /// or <c>{"type": "function", "function": {"name"}}</c>; DashScope documents no <c>"required"</c>, so that is an error.
    /// </summary>
    private static JsonElement DashScopeParameters(JsonElement v)
    {
        if (IsNull(v))
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"dashscope_parameters takes the parameters object, not a JSON {Kind(v)}");
        }

        var hasTools = v.TryGetProperty("tools"u8, out var tools);
        var hasChoice = v.TryGetProperty("tool_choice"u8, out var choice);
        if (!hasTools && !hasChoice)
        {
            return v;
        }

        if (hasChoice && Choice(choice, "dashscope_parameters").Mode == "required")
        {
            throw new FormatException("dashscope_parameters: DashScope's tool_choice is \"auto\", \"none\" or one named function; it cannot express \"required\"");
        }

        var convertedTools = hasTools ? OpenAiTools(tools) : default;
        var convertedChoice = hasChoice ? OpenAiToolChoice(choice) : default;
        return JsonValues.Write((v, convertedTools, convertedChoice), static (w, s) =>
        {
            w.WriteStartObject();
            foreach (var property in s.v.EnumerateObject())
            {
                if (property.NameEquals("tools"u8))
                {
                    w.WritePropertyName("tools"u8);
                    s.convertedTools.WriteTo(w);
                }
                else if (property.NameEquals("tool_choice"u8))
                {
                    w.WritePropertyName("tool_choice"u8);
                    s.convertedChoice.WriteTo(w);
                }
                else
                {
                    property.WriteTo(w);
                }
            }

            w.WriteEndObject();
        });
    }
}
