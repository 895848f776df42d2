namespace LlmAdapters.Definitions;

/// <summary>One definition file as read: its name and its calls, not yet compiled.</summary>
internal sealed record AdapterDefinition(string Name, SourceLocation Location, IReadOnlyList<CallDefinition> Calls)
{
    /// <summary>The converters the file declares in its <c>converters</c> section, for its own items.</summary>
    public IReadOnlyList<ConverterDefinition> Converters { get; init; } = [];
}
