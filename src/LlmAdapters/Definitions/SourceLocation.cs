namespace LlmAdapters.Definitions;

/// <summary>Where a piece of a definition was written: file, JSON path and 1-based line (0 when unknown).</summary>
internal sealed record SourceLocation(string File, string JsonPath, int Line)
{
    public SourceLocation Child(string key, JsonLineMap lines)
    {
        var path = JsonLineMap.Append(JsonPath, key);
        return new SourceLocation(File, path, lines.LineOf(path));
    }

    public SourceLocation Child(int index, JsonLineMap lines)
    {
        var path = $"{JsonPath}[{index}]";
        return new SourceLocation(File, path, lines.LineOf(path));
    }

    public LlmDefinitionProblem Problem(string message) => new(File, Line, JsonPath, message);

    /// <summary>For runtime messages: "adapters/openai.json, line 12".</summary>
    public string Describe() => Line > 0 ? $"{File}, line {Line}" : File;
}
