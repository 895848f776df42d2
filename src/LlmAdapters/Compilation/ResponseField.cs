using LlmAdapters.Internal;

namespace LlmAdapters.Compilation;

/// <summary>A compiled <c>resp</c> item: a field name, the key path it comes from, and an optional converter.</summary>
internal sealed class ResponseField(string name, KeyPath path, ILlmConverter? converter)
{
    public string Name { get; } = name;

    public KeyPath Path { get; } = path;

    public ILlmConverter? Converter { get; } = converter;
}
