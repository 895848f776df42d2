namespace LlmAdapters.Cli;

/// <summary>The few ANSI SGR codes the tool uses; only written when <see cref="CliConsole.UseColor"/> is true.</summary>
internal enum AnsiColor
{
    Bold = 1,
    Dim = 2,
    Red = 31,
    Green = 32,
    Yellow = 33,
    Cyan = 36,
}
