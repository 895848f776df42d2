using System.Globalization;
using LlmAdapters.Cli.Output;
using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary><c>test &lt;profile&gt;</c>: one round trip with a fixed system and user prompt; reports success, latency and the first words, or the error in plain words.</summary>
internal sealed class TestCommand(CliConsole console)
{
    public const string SystemPrompt = "You are a connection test. Answer in one short sentence.";

    public const string UserPrompt = "Say hello.";

    private const int FirstWords = 12;

    public async Task<int> RunAsync(ProfileOptions profileOptions, string call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profileOptions);
        ResolvedProfile resolved;
        try
        {
            resolved = ProfileResolver.Resolve(profileOptions, console);
        }
        catch (Exception e) when (ErrorReporter.IsReportable(e))
        {
            return ErrorReporter.Report(e, console);
        }

        var profile = resolved.Profile;
        var what = $"{resolved.Name} ({profile.Adapter} {call} at {ShownUrl(profile.BaseUrl)})";
        var started = console.Time.GetTimestamp();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
            var client = resolved.Catalog.CreateClient(profile, http, console.Time);
            var response = await client.CallAsync(
                new LlmRequest { Call = call, System = SystemPrompt, Messages = [new LlmMessage("user", UserPrompt)], MaxTokens = 256, Variables = resolved.RequestVariables },
                cancellationToken);
            var latency = Milliseconds(started);
            if (string.IsNullOrWhiteSpace(response.Text))
            {
                console.Error.WriteLine($"{console.PaintError("FAILED", AnsiColor.Red)} {what} in {latency}: the vendor answered (HTTP {response.StatusCode}) but the text is empty; check the call's resp items, or the model (a reasoning model may need more tokens).");
                return ExitCodes.CallFailed;
            }

            console.Out.WriteLine($"{console.Paint("ok", AnsiColor.Green)} {what} in {latency}: \"{resolved.Masker.Apply(Start(response.Text))}\"");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (ErrorReporter.IsReportable(e) && e is not OperationCanceledException)
        {
            var code = e is LlmConfigurationException or LlmRequestException ? ExitCodes.Usage : ExitCodes.CallFailed;
            console.Error.WriteLine($"{console.PaintError("FAILED", AnsiColor.Red)} {what} after {Milliseconds(started)}: {resolved.Masker.Apply(ErrorReporter.Describe(e, resolved.Name))}");
            return code;
        }
    }

    private string Milliseconds(long started) => console.Time.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>The first words of the answer, on one line.</summary>
    internal static string Start(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var start = string.Join(' ', words.Take(FirstWords));
        if (start.Length > 100)
        {
            start = start[..100];
        }

        return start.Length < string.Join(' ', words).Length ? start + "…" : start;
    }

    /// <summary>The base URL without its user info (a password must not be printed).</summary>
    private static string ShownUrl(string? baseUrl)
        => baseUrl is null ? "no base URL"
            : Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
                ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString()
                : baseUrl;
}
