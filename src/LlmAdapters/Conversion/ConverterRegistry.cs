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

    private ConverterRegistry(FrozenDictionary<string, ILlmConverter> converters) => _converters = converters;

    public static ConverterRegistry BuiltInOnly { get; } = new([]);

    /// <summary>This registry plus <paramref name="local"/> (a definition file's own converters), which replace converters of the same name.</summary>
    public ConverterRegistry With(IEnumerable<ILlmConverter> local)
    {
        var all = new Dictionary<string, ILlmConverter>(_converters, StringComparer.Ordinal);
        foreach (var c in local)
        {
            all[c.Name] = c;
        }

        return new ConverterRegistry(all.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public IEnumerable<string> Names => _converters.Keys;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmConverter? converter) => _converters.TryGetValue(name, out converter);
}
