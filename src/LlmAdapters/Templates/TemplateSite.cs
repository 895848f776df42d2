using LlmAdapters.Definitions;

namespace LlmAdapters.Templates;

/// <summary>Which definition item a template belongs to, for error messages: "data item 'model' of call 'chat' in adapter 'openai' (adapters/openai.json, line 12)".</summary>
internal sealed record TemplateSite(string Description, SourceLocation Location)
{
    public override string ToString() => $"{Description} ({Location.Describe()})";
}
