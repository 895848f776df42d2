using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters;

/// <summary>Creates converters from delegates, and JSON values for converters to return.</summary>
public static class LlmConverter
{
    /// <summary>A converter that runs <paramref name="convert"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static ILlmConverter Create(string name, Func<JsonElement, JsonElement> convert)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(convert);
        return new DelegateConverter(name, convert);
    }

    /// <summary>A converter from text to text: strings are passed as is, other values as their JSON text; null stays null.</summary>
    public static ILlmConverter Create(string name, Func<string, string> convert)
    {
        ArgumentNullException.ThrowIfNull(convert);
        return Create(name, value => value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? value : ToElement(convert(JsonValues.ToText(value))));
    }

    /// <summary>A standalone JSON string value (JSON null for null).</summary>
    public static JsonElement ToElement(string? value) => value is null ? JsonValues.Null : JsonValues.String(value);

    /// <summary>A standalone JSON number value.</summary>
    public static JsonElement ToElement(double value) => JsonValues.Number(value);

    /// <summary>A standalone JSON number value.</summary>
    public static JsonElement ToElement(long value) => JsonValues.Number(value);

    /// <summary>A standalone JSON boolean value.</summary>
    public static JsonElement ToElement(bool value) => JsonValues.Bool(value);

    /// <summary>Parses JSON text into a standalone value.</summary>
    /// <exception cref="JsonException">The text is not valid JSON.</exception>
    public static JsonElement ParseElement(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    private sealed class DelegateConverter(string name, Func<JsonElement, JsonElement> convert) : ILlmConverter
    {
        public string Name { get; } = name;

        public JsonElement Convert(JsonElement value) => convert(value);
    }
}
