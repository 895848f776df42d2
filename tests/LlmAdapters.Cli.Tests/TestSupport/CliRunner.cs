namespace LlmAdapters.Cli.Tests.TestSupport;

/// <summary>Runs <c>llm-adapters</c> in-process with string writers, a chosen working folder, environment and clock.</summary>
internal sealed class CliRunner
{
    public string WorkingDirectory { get; init; } = Paths.Fixtures;

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole
        {
            Out = output,
            Error = error,
            Environment = Environment,
            WorkingDirectory = WorkingDirectory,
            Time = Time,
        };
        var code = await CliApp.RunAsync(args, console);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
