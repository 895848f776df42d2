namespace LlmAdapters.Cli;

/// <summary>The exit codes of <c>llm-adapters</c>, documented in the README and in <c>--help</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>The call failed: the vendor answered with an error, could not be reached, the stream broke, the task failed or timed out.</summary>
    public const int CallFailed = 1;

    /// <summary>The command line or configuration is wrong: unknown option, profile, adapter or call, a missing variable or file.</summary>
    public const int Usage = 2;

    /// <summary>A definition file is invalid.</summary>
    public const int Definition = 3;

    /// <summary>Cancelled with Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary>The text shown at the end of <c>--help</c>.</summary>
    public const string HelpText = "Exit codes: 0 ok, 1 the call failed (vendor error, network, stream, poll, timeout), 2 usage or configuration error, 3 invalid definition file, 130 cancelled.";
}
