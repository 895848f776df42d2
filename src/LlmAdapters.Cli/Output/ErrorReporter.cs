using System.Globalization;
using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Output;

/// <summary>Turns an exception into a plain-words message on the error output and an exit code.</summary>
internal static class ErrorReporter
{
    /// <summary>True for the exceptions a command reports instead of crashing on.</summary>
    public static bool IsReportable(Exception exception)
        => exception is LlmException or CliUsageException or OperationCanceledException or IOException or UnauthorizedAccessException;

    /// <summary>Writes the error (secrets masked) and returns its exit code.</summary>
    /// <param name="exception">The error.</param>
    /// <param name="console">Where to write it.</param>
    /// <param name="masker">The secrets to mask.</param>
    /// <param name="profileName">The profile (or adapter) of the command, to name its environment variables in hints.</param>
    public static int Report(Exception exception, CliConsole console, SecretMasker? masker = null, string? profileName = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(console);
        masker ??= SecretMasker.None;
        var error = console.Error;
        switch (exception)
        {
            case LlmDefinitionException definition:
                WriteProblems(definition.Problems, console);
                return ExitCodes.Definition;
            case LlmRequestException { MissingVariable: { } variable } missing:
                error.WriteLine(console.PaintError("error: ", AnsiColor.Red) + masker.Apply(DescribeMissing(missing, variable, profileName)));
                return ExitCodes.Usage;
            case CliUsageException or LlmConfigurationException or LlmRequestException:
                error.WriteLine(console.PaintError("error: ", AnsiColor.Red) + masker.Apply(exception.Message));
                return ExitCodes.Usage;
            case IOException or UnauthorizedAccessException:
                error.WriteLine(console.PaintError("error: ", AnsiColor.Red) + masker.Apply(exception.Message));
                return ExitCodes.Usage;
            case OperationCanceledException:
                error.WriteLine("cancelled");
                return ExitCodes.Cancelled;
            default:
                error.WriteLine(console.PaintError("error: ", AnsiColor.Red) + masker.Apply(Describe(exception)));
                return ExitCodes.CallFailed;
        }
    }

    /// <summary>One paragraph saying what went wrong and what to check.</summary>
    public static string Describe(Exception exception, string? profileName = null) => exception switch
    {
        LlmRequestException { MissingVariable: { } variable } missing => DescribeMissing(missing, variable, profileName),
        LlmHttpException http => DescribeHttp(http),
        LlmStreamException stream => $"the stream broke after {stream.ReceivedText.Length} characters{Vendor(stream.VendorMessage, stream.VendorCode)}. {stream.Message}",
        LlmPollException { TimedOut: true } poll => $"the task {poll.QueryId} was still {poll.Status ?? "running"} at the deadline; wait for it again with the same query id. {poll.Message}",
        LlmPollException poll => $"the task {poll.QueryId} failed{(poll.Status is null ? string.Empty : $" with status {poll.Status}")}{Vendor(poll.VendorMessage, poll.VendorCode)}.",
        LlmTimeoutException timeout => $"no answer within {timeout.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (the profile's Timeout). {timeout.Message}",
        _ => exception.Message,
    };

    public static void WriteProblems(IReadOnlyList<LlmDefinitionProblem> problems, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var problem in problems)
        {
            // file:line: error: path: message, the shape editors and CI problem matchers recognise.
            var where = problem.Line > 0 ? $"{console.DisplayPath(problem.File)}:{problem.Line}" : console.DisplayPath(problem.File);
            console.Error.WriteLine($"{where}: {console.PaintError("error", AnsiColor.Red)}: {problem.JsonPath}: {problem.Message}");
        }

        var files = problems.Select(p => p.File).Distinct(StringComparer.Ordinal).Count();
        console.Error.WriteLine($"{problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")} in {files} file{(files == 1 ? string.Empty : "s")}.");
    }

    /// <summary>
    /// A variable without value, said the tool's way: which option or environment variable gives it (the library's own
    /// message speaks of LlmRequest.Variables, which a tool user has no access to).
    /// </summary>
    private static string DescribeMissing(LlmRequestException exception, string variable, string? profileName)
    {
        // The library's first sentence says which item of which call, with file and line, needs the variable.
        var message = exception.Message;
        var end = message.IndexOf(". Set '", StringComparison.Ordinal);
        var what = end > 0 ? message[..(end + 1)] : $"The variable '{variable}' has no value.";
        if (variable is "messages" or "prompt")
        {
            return $"{what} Give a prompt: the text after the profile or adapter name.";
        }

        var environment = profileName is not null && variable.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            ? $", the environment variable {ProfileResolver.EnvironmentPrefixOf(profileName)}{variable.ToUpperInvariant()}"
            : string.Empty;
        return $"{what} Give it with --var {variable}=...{environment} or the profile's \"Variables\" in the settings file (--settings, ./{CliSettings.DefaultFileName}).";
    }

    private static string DescribeHttp(LlmHttpException http)
    {
        var hint = http.StatusCode switch
        {
            0 => "could not reach the vendor: check BaseUrl (--base-url) and the network",
            400 or 422 => "the vendor rejected the request: check the model name and the parameters",
            401 or 403 => "the API key was rejected: check the apikey variable (--var apikey=..., or LLM_ADAPTERS_<PROFILE>_APIKEY)",
            404 => "not found: check BaseUrl and the model name",
            408 or 504 => "the vendor timed out: try again",
            429 => http.RetryAfter is { } wait
                ? $"rate limited or out of quota: wait {wait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s and try again"
                : "rate limited or out of quota: wait and try again, or check the account's balance",
            >= 500 => "the vendor had a server error: try again later",
            _ => "the vendor answered with an error",
        };
        var status = http.StatusCode == 0 ? string.Empty : $" (HTTP {http.StatusCode})";
        var vendor = Vendor(http.VendorMessage, http.VendorCode);
        return vendor.Length > 0 ? $"{hint}{status}{vendor}." : $"{hint}{status}. {http.Message}";
    }

    private static string Vendor(string? message, string? code)
        => message is null && code is null ? string.Empty : $"; the vendor says: {message}{(code is null ? string.Empty : $" [{code}]")}";
}
