using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Conversion;

/// <summary>Converters that reshape an embedding request's <c>input</c> list for vendors that want one object per text. Each is documented in README "Converters".</summary>
internal static class EmbeddingConverters
{
    /// <summary>The converter at <paramref name="index"/> of this class's block of <see cref="BuiltInConverters"/>' names, newly made.</summary>
    public static ILlmConverter Create(int index) => index switch
    {
        0 => LlmConverter.Create("gemini_embed_requests", GeminiEmbedRequests),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>
    /// <c>{"input": [texts], ...other keys}</c> → one Gemini <c>EmbedContentRequest</c> per text: the other keys (such as
    /// <c>model</c>, <c>outputDimensionality</c>, <c>taskType</c>) copied into each, and <c>content</c> = <c>{"parts": [{"text": text}]}</c>.
    /// </summary>
    private static JsonElement GeminiEmbedRequests(JsonElement v)
    {
        if (v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return v;
        }

        if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("input"u8, out var input) || input.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("gemini_embed_requests takes an object with \"input\" (the list of texts) and the keys every request repeats, such as { \"model\": \"models/${model}\", \"input\": \"${input}\" }");
        }

        foreach (var text in input.EnumerateArray())
        {
            if (text.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"gemini_embed_requests embeds texts, but an entry of \"input\" is a JSON {text.ValueKind.ToString().ToLowerInvariant()}");
            }
        }

        return JsonValues.Write(v, static (w, value) =>
        {
            value.TryGetProperty("input"u8, out var texts);
            w.WriteStartArray();
            foreach (var text in texts.EnumerateArray())
            {
                w.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    if (!property.NameEquals("input"u8))
                    {
                        property.WriteTo(w);
                    }
                }

                w.WritePropertyName("content"u8);
                w.WriteStartObject();
                w.WritePropertyName("parts"u8);
                w.WriteStartArray();
                w.WriteStartObject();
                w.WritePropertyName("text"u8);
                text.WriteTo(w);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }
}
