using System.Text.Json;

namespace LlmAdapters;

/// <summary>A named function that transforms a value on its way into a request (<c>headers</c>, <c>params</c>, <c>data</c>) or out of a response (<c>resp</c>).</summary>
/// <remarks>
/// Definition items name a converter with <c>"converter": "name"</c>. Register your own through
/// <c>LlmCatalogBuilder.AddConverter</c> or <c>LlmAdaptersBuilder.AddConverter</c>; an unknown name is a definition error at load.
/// Implementations must be thread-safe and should throw <see cref="FormatException"/> for a value they cannot convert.
/// A converter must be a function of its value (the same value, the same result or the same exception): a stream
/// converts an item again only when its bytes change from one chunk to the next.
/// </remarks>
public interface ILlmConverter
{
    /// <summary>The name definition files use.</summary>
    string Name { get; }

    /// <summary>Converts one value. The result must not depend on a <see cref="JsonDocument"/> that is disposed afterwards (use <see cref="JsonElement.Clone"/> or <see cref="LlmConverter.ToElement(string?)"/>).</summary>
    JsonElement Convert(JsonElement value);
}
