using System.Collections.Frozen;
using LlmAdapters.Definitions;

namespace LlmAdapters.Compilation;

/// <summary>A compiled definition file: the adapter's name and its calls by name.</summary>
internal sealed class AdapterPlan
{
    internal AdapterPlan(string name, SourceLocation location, IEnumerable<CallPlan> calls)
    {
        Name = name;
        Location = location;
        Calls = calls.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public SourceLocation Location { get; }

    public FrozenDictionary<string, CallPlan> Calls { get; }
}
