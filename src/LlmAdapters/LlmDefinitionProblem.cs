namespace LlmAdapters;

/// <summary>One problem found in a definition file: where it is and what to change.</summary>
/// <param name="File">The file (or resource, or the name given to a string) the problem is in.</param>
/// <param name="Line">The 1-based line, or 0 when unknown.</param>
/// <param name="JsonPath">Where in the JSON, such as <c>$.chat.apitype</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record LlmDefinitionProblem(string File, int Line, string JsonPath, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}, line {Line}, {JsonPath}: {Message}" : $"{File}, {JsonPath}: {Message}";
}
