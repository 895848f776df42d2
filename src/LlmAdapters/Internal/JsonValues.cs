using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LlmAdapters.Internal;

/// <summary>Creates standalone <see cref="JsonElement"/> values (not tied to a pooled document that must be disposed).</summary>
internal static class JsonValues
{
    public static readonly JsonElement Null = Parse("null"u8);
    public static readonly JsonElement True = Parse("true"u8);
    public static readonly JsonElement False = Parse("false"u8);
    public static readonly JsonElement EmptyString = Parse("\"\""u8);

    public static JsonElement Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return JsonElement.ParseValue(ref reader);
    }

    // One buffer and writer per thread, reset for each value: building a request's variables allocates only the values.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static JsonElement Write(Action<Utf8JsonWriter> write) => Write<Action<Utf8JsonWriter>>(write, static (w, a) => a(w));

    public static JsonElement Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        // Relaxed escaping, as request bodies use: Chinese and emoji stay UTF-8, so writing the value into a body is a copy.
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        t_buffer = null; // a nested Write (a converter inside a template) gets its own pair
        t_writer = null;
        try
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            write(writer, state);
            writer.Flush();
            return Parse(buffer.WrittenSpan);
        }
        finally
        {
            if (buffer.Capacity <= 64 * 1024)
            {
                t_buffer = buffer;
                t_writer = writer;
            }
        }
    }

    public static JsonElement String(string value) => Write(value, static (w, v) => w.WriteStringValue(v));

    public static JsonElement Number(long value) => Write(value, static (w, v) => w.WriteNumberValue(v));

    public static JsonElement Number(double value) => Write(value, static (w, v) => w.WriteNumberValue(v));

    public static JsonElement Bool(bool value) => value ? True : False;

    /// <summary>The text a value contributes when interpolated into a string, a header or a URL: strings unquoted, everything else as JSON.</summary>
    public static string ToText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    /// <summary>
    /// True when every string and property name in <paramref name="json"/> (one JSON value, already known to be valid
    /// JSON) can be read as text: valid UTF-8 and no half of a surrogate pair in an escape. <see cref="JsonDocument"/> and
    /// <see cref="Utf8JsonReader"/> accept such strings; reading them (GetString, GetRawText) throws later.
    /// </summary>
    /// <remarks>A value without a backslash (most values) is one vectorised UTF-8 check; only strings with escapes are decoded, into a pooled buffer.</remarks>
    public static bool IsText(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf((byte)'\\') < 0)
        {
            return System.Text.Unicode.Utf8.IsValid(json); // no escape: the strings are text when the bytes are UTF-8
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        char[]? rented = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                {
                    continue;
                }

                var raw = reader.ValueSpan; // a string value in a valid document is never split into a sequence here
                if (!reader.ValueIsEscaped)
                {
                    if (!System.Text.Unicode.Utf8.IsValid(raw))
                    {
                        return false;
                    }

                    continue;
                }

                if (rented is null || rented.Length < raw.Length)
                {
                    if (rented is not null)
                    {
                        ArrayPool<char>.Shared.Return(rented);
                    }

                    rented = ArrayPool<char>.Shared.Rent(raw.Length);
                }

                try
                {
                    _ = reader.CopyString(rented);
                }
                catch (InvalidOperationException)
                {
                    return false; // invalid UTF-8, or an escaped half of a surrogate pair
                }
            }

            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True when every string and property name in <paramref name="value"/> can be read as text (see <see cref="IsText(ReadOnlySpan{byte})"/>).</summary>
    public static bool IsText(JsonElement value)
    {
#if NET9_0_OR_GREATER
        return value.ValueKind == JsonValueKind.Undefined || IsText(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value));
#else
        try
        {
            Walk(value);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Walk(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    _ = value.GetString();
                    break;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        _ = property.Name;
                        Walk(property.Value);
                    }

                    break;
            }
        }
#endif
    }

    /// <summary>Converts a CLR value a user put in <c>LlmRequest.Variables</c> into JSON, without reflection-based serialization.</summary>
    public static JsonElement FromObject(object? value, string variableName) => Write((value, variableName), static (w, s) => WriteObject(w, s.value, s.variableName, 0));

    private static void WriteObject(Utf8JsonWriter w, object? value, string name, int depth)
    {
        if (depth > 64)
        {
            throw new LlmRequestException($"The value of variable '{name}' is nested more than 64 levels deep; pass a flatter value.");
        }

        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case JsonElement e: e.WriteTo(w); break;
            case JsonDocument d: d.RootElement.WriteTo(w); break;
            case System.Text.Json.Nodes.JsonNode n: n.WriteTo(w); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case short sh: w.WriteNumberValue(sh); break;
            case byte by: w.WriteNumberValue(by); break;
            case uint ui: w.WriteNumberValue(ui); break;
            case ulong ul: w.WriteNumberValue(ul); break;
            case float f: w.WriteNumberValue(f); break;
            case double db: w.WriteNumberValue(db); break;
            case decimal m: w.WriteNumberValue(m); break;
            case char ch: w.WriteStringValue(ch.ToString()); break;
            case Guid g: w.WriteStringValue(g); break;
            case DateTime dt: w.WriteStringValue(dt); break;
            case DateTimeOffset dto: w.WriteStringValue(dto); break;
            case Uri u: w.WriteStringValue(u.OriginalString); break;
            case Enum en: w.WriteStringValue(en.ToString()); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            case ReadOnlyMemory<byte> rom: w.WriteBase64StringValue(rom.Span); break;
            case LlmMessage msg: WriteMessage(w, msg); break;
            case LlmMedia media: WriteMedia(w, media); break;
            case IEnumerable<KeyValuePair<string, object?>> dict:
                w.WriteStartObject();
                foreach (var (k, v) in dict)
                {
                    w.WritePropertyName(k);
                    WriteObject(w, v, name, depth + 1);
                }

                w.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, string?>> sdict:
                w.WriteStartObject();
                foreach (var (k, v) in sdict)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                w.WriteStartArray();
                foreach (var item in items)
                {
                    WriteObject(w, item, name, depth + 1);
                }

                w.WriteEndArray();
                break;
            case IFormattable formattable:
                w.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new LlmRequestException(
                    $"The value of variable '{name}' has type {value.GetType().Name}, which LlmAdapters cannot turn into JSON without reflection. " +
                    "Pass a string, number, bool, JsonElement, JsonNode, a dictionary or a list of these.");
        }
    }

    /// <summary>A tool call's arguments as the JSON object they hold (an empty text is <c>{}</c>).</summary>
    /// <exception cref="LlmRequestException">The arguments are not a JSON object.</exception>
    private static void WriteArguments(Utf8JsonWriter w, LlmToolCall call)
    {
        if (string.IsNullOrWhiteSpace(call.Arguments))
        {
            w.WriteStartObject();
            w.WriteEndObject();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(call.Arguments);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                document.RootElement.WriteTo(w);
                return;
            }
        }
        catch (JsonException)
        {
            // reported below
        }

        throw new LlmRequestException($"The arguments of tool call '{call.Name}' (id '{call.Id}') in the messages are not a JSON object; nothing was sent.");
    }

    public static void WriteMessage(Utf8JsonWriter w, LlmMessage message, IReadOnlyList<LlmMedia>? extraImages = null, string? toolName = null)
    {
        w.WriteStartObject();
        w.WriteString("role"u8, message.Role);
        w.WriteString("content"u8, message.Content);
        if (message.ToolCallId is { } callId)
        {
            w.WriteString("tool_call_id"u8, callId);
            if (toolName is not null)
            {
                w.WriteString("name"u8, toolName);
            }
        }

        if (message.ToolCalls.Count > 0)
        {
            w.WriteStartArray("tool_calls"u8);
            foreach (var call in message.ToolCalls)
            {
                w.WriteStartObject();
                w.WriteString("id"u8, call.Id);
                w.WriteString("name"u8, call.Name);
                w.WritePropertyName("arguments"u8);
                WriteArguments(w, call);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (message.Images.Count > 0 || extraImages is { Count: > 0 })
        {
            w.WriteStartArray("images"u8);
            foreach (var image in message.Images)
            {
                WriteMedia(w, image);
            }

            foreach (var image in extraImages ?? [])
            {
                WriteMedia(w, image);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    public static void WriteMedia(Utf8JsonWriter w, LlmMedia media)
    {
        w.WriteStartObject();
        if (media.Url is not null)
        {
            w.WriteString("url"u8, media.Url.OriginalString);
        }

        if (media.Data is { } data)
        {
            w.WriteBase64String("data"u8, data.Span);
        }

        if (media.MimeType is not null)
        {
            w.WriteString("mime_type"u8, media.MimeType);
        }

        w.WriteEndObject();
    }
}
