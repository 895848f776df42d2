using System.Text.Json;

namespace LlmAdapters.Cli.Output;

/// <summary>Writes a response as one JSON object: text, fields, status code, usage, finish reason; secrets masked.</summary>
internal static class ResponseJson
{
    public static string Format(LlmResponse response, SecretMasker masker)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(masker);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("text", response.Text);
            writer.WriteStartObject("fields");
            foreach (var (name, value) in response.Fields)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteNumber("statusCode", response.StatusCode);
            if (response.Usage is { } usage)
            {
                writer.WriteStartObject("usage");
                WriteNumber(writer, "inputTokens", usage.InputTokens);
                WriteNumber(writer, "outputTokens", usage.OutputTokens);
                WriteNumber(writer, "totalTokens", usage.TotalTokens);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("usage");
            }

            if (response.FinishReason is null)
            {
                writer.WriteNull("finishReason");
            }
            else
            {
                writer.WriteString("finishReason", response.FinishReason);
            }

            writer.WriteEndObject();
        }

        // Masking the finished text keeps it valid JSON: "***" contains nothing that needs escaping.
        return masker.Apply(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A field's value for one line of text output: a string as is, anything else as compact JSON.</summary>
    public static string FieldText(JsonElement value)
        => value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText();

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
