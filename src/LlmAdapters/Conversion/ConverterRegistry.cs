using System.Collections.Frozen;

namespace LlmAdapters.Conversion;

/// <summary>The converters a catalog knows, by name: the built-ins, then the user's (which may replace a built-in).</summary>
internal sealed class ConverterRegistry
{
    private readonly FrozenDictionary<string, ILlmConverter> _converters;

    public ConverterRegistry(IEnumerable<ILlmConverter> userConverters)
    {
        var all = new Dictionary<string, ILlmConverter>(StringComparer.Ordinal);
        foreach (var c in BuiltInConverters.All)
        {
            all[c.Name] = c;
        }

        foreach (var c in userConverters)
        {
            all[c.Name] = c;
        }

        _converters = all.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static ConverterRegistry BuiltInOnly { get; } = new([]);

    public IEnumerable<string> Names => _converters.Keys;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmConverter? converter) => _converters.TryGetValue(name, out converter);
}
