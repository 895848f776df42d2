using System.Collections;

namespace LlmAdapters.Cli;

/// <summary>Where a command writes and what it may read from its surroundings: output, error, environment, working folder, clock.</summary>
/// <remarks>Commands take one of these instead of touching <see cref="Console"/>, so tests run them in-process with string writers.</remarks>
internal sealed class CliConsole
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when the output is a terminal (not redirected): live status lines are drawn in place.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>True when the error output is a terminal: the live status line of async calls is drawn there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>True when ANSI colours may be written to the output: a terminal, NO_COLOR unset, TERM not dumb.</summary>
    public bool UseColor { get; init; }

    /// <summary>True when ANSI colours may be written to the error output.</summary>
    public bool ErrorUseColor { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The process's own console.</summary>
    public static CliConsole FromSystem()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                environment[key] = value;
            }
        }

        var terminal = !Console.IsOutputRedirected;
        var errorTerminal = !Console.IsErrorRedirected;
        var noColor = environment.TryGetValue("NO_COLOR", out var v) && v.Length > 0;
        var dumb = environment.TryGetValue("TERM", out var term) && term == "dumb";
        Console.OutputEncoding = System.Text.Encoding.UTF8;
        return new CliConsole
        {
            Out = Console.Out,
            Error = Console.Error,
            IsTerminal = terminal,
            ErrorIsTerminal = errorTerminal,
            UseColor = terminal && !noColor && !dumb,
            ErrorUseColor = errorTerminal && !noColor && !dumb,
            Environment = environment,
        };
    }

    public string? GetEnvironmentVariable(string name) => Environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>A path the user typed, made absolute against the working folder.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary>A path for display: relative to the working folder when it is inside it.</summary>
    public string DisplayPath(string path)
    {
        if (!Path.IsPathRooted(path))
        {
            return path;
        }

        var relative = Path.GetRelativePath(WorkingDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>Text in a colour for the output, when colours are on.</summary>
    public string Paint(string text, AnsiColor color) => UseColor ? $"\u001b[{(int)color}m{text}\u001b[0m" : text;

    /// <summary>Text in a colour for the error output, when colours are on there.</summary>
    public string PaintError(string text, AnsiColor color) => ErrorUseColor ? $"\u001b[{(int)color}m{text}\u001b[0m" : text;
}
