namespace LlmAdapters;

/// <summary>One or more definition files are invalid. The message lists every problem, each with file, line and JSON path.</summary>
public sealed class LlmDefinitionException : LlmException
{
    /// <summary>Creates the exception for a list of problems.</summary>
    public LlmDefinitionException(IReadOnlyList<LlmDefinitionProblem> problems)
        : base(Format(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<LlmDefinitionProblem> Problems { get; }

    private static string Format(IReadOnlyList<LlmDefinitionProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var files = problems.Select(p => p.File).Distinct().Count();
        var head = problems.Count == 1
            ? "The LLM definition is invalid:"
            : $"The LLM definitions have {problems.Count} problems in {files} file{(files == 1 ? string.Empty : "s")}:";
        // Every problem is in Problems; the message lists the first hundred, so that a hostile file cannot make it huge.
        const int Listed = 100;
        var lines = problems.Take(Listed).Select(p => "  - " + p);
        if (problems.Count > Listed)
        {
            lines = lines.Append($"  ... and {problems.Count - Listed} more (see Problems)");
        }

        return head + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}
