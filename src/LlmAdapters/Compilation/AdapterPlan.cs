using System.Collections.ObjectModel;
using LlmAdapters.Definitions;

namespace LlmAdapters.Compilation;

/// <summary>A compiled definition file: the adapter's name and its calls by name.</summary>
internal sealed class AdapterPlan
{
    internal AdapterPlan(string name, SourceLocation location, IEnumerable<CallPlan> calls)
    {
        Name = name;
        Location = location;
        var byName = new Dictionary<string, CallPlan>(StringComparer.Ordinal);
        foreach (var call in calls)
        {
            byName.Add(call.Name, call);
        }

        // A plain dictionary: a frozen one costs a cold start milliseconds to create, for a handful of calls looked up once per call.
        Calls = new ReadOnlyDictionary<string, CallPlan>(byName);
    }

    public string Name { get; }

    public SourceLocation Location { get; }

    public ReadOnlyDictionary<string, CallPlan> Calls { get; }
}
