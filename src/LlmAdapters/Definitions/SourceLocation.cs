namespace LlmAdapters.Definitions;

/// <summary>Where a piece of a definition was written: file, JSON path and 1-based line (0 when unknown).</summary>
/// <remarks>
/// The line is looked up only when something asks for it (a problem, a message): a file that loads without problems
/// never has its line map built.
/// </remarks>
internal sealed class SourceLocation
{
    private readonly JsonLineMap? _lines;
    private int _line;

    /// <summary>A location whose line is known.</summary>
    public SourceLocation(string file, string jsonPath, int line)
    {
        File = file;
        JsonPath = jsonPath;
        _line = line;
    }

    /// <summary>A location whose line <paramref name="lines"/> finds when asked.</summary>
    public SourceLocation(string file, string jsonPath, JsonLineMap lines)
    {
        File = file;
        JsonPath = jsonPath;
        _lines = lines;
        _line = -1;
    }

    public string File { get; }

    public string JsonPath { get; }

    /// <summary>The 1-based line, 0 when unknown.</summary>
    public int Line
    {
        get
        {
            if (_line < 0)
            {
                _line = _lines!.LineOf(JsonPath);
            }

            return _line;
        }
    }

    public SourceLocation Child(string key, JsonLineMap lines) => new(File, JsonLineMap.Append(JsonPath, key), lines);

    public SourceLocation Child(int index, JsonLineMap lines) => new(File, $"{JsonPath}[{index}]", lines);

    public LlmDefinitionProblem Problem(string message) => new(File, Line, JsonPath, message);

    /// <summary>For runtime messages: "adapters/openai.json, line 12".</summary>
    public string Describe() => Line > 0 ? $"{File}, line {Line}" : File;
}
