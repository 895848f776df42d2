namespace LlmAdapters;

/// <summary>One problem found in a definition file: where it is and what to change.</summary>
/// <param name="File">The file (or resource, or the name given to a string) the problem is in.</param>
/// <param name="Line">The 1-based line, or 0 when unknown.</param>
/// <param name="JsonPath">Where in the JSON, such as <c>$.chat.apitype</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record LlmDefinitionProblem(string File, int Line, string JsonPath, string Message)
{
    /// <summary>The longest message kept: a problem quoting a hostile 200 KB key stays readable.</summary>
    private const int MaxMessageLength = 1_000;

    private const int MaxPathLength = 300;

    /// <summary>The JSON path, shortened when absurdly long.</summary>
    public string JsonPath { get; init; } = Shorten(JsonPath, MaxPathLength);

    /// <summary>What is wrong and how to fix it, shortened when it quotes something absurdly long.</summary>
    public string Message { get; init; } = Shorten(Message, MaxMessageLength);

    private static string Shorten(string text, int max)
        => text is null || text.Length <= max ? text! : $"{text[..(max / 2)]}… ({text.Length - max} characters left out) …{text[^(max / 2)..]}";

    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}, line {Line}, {JsonPath}: {Message}" : $"{File}, {JsonPath}: {Message}";
}
