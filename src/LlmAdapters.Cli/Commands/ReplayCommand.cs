using System.Net;
using LlmAdapters.Cli.Http;
using LlmAdapters.Cli.Output;
using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary><c>replay</c>: runs a call's response side against recorded bodies on disk, with no network, and shows what it extracts.</summary>
internal sealed class ReplayCommand(CliConsole console)
{
    /// <summary>The base URL used when neither the profile nor <c>--base-url</c> gives one: nothing is sent anyway.</summary>
    public const string PlaceholderBaseUrl = "https://replay.invalid";

    /// <summary>Variables the request fills itself.</summary>
    private static readonly HashSet<string> RequestVariables = new(StringComparer.Ordinal) { "messages", "prompt", "base_url", "images", "videos" };

    public async Task<int> RunAsync(ReplayOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var masker = SecretMasker.None;
        ReplayHandler? handler = null;
        string? profileName = null;
        try
        {
            if (options.Responses.Count == 0 && !options.ShowRequest)
            {
                throw new CliUsageException("Give the recorded response with --response <file> (or --request to see only the request that would be sent).");
            }

            var recordings = options.Responses.Select(f => LoadRecording(f, options.ContentType)).ToList();
            var resolved = ProfileResolver.Resolve(options.Profile, console);
            masker = resolved.Masker;
            profileName = resolved.Name;
            var profile = resolved.Profile;
            var apiType = resolved.Catalog.GetApiType(profile.Adapter, options.Call);
            var info = resolved.Catalog.Describe(profile.Adapter).Single(c => c.Name == options.Call);

            // Nothing is sent, so variables the user did not give get visible placeholders instead of failing the call.
            profile.BaseUrl ??= PlaceholderBaseUrl;
            foreach (var name in info.RequiredVariables.Where(v => !RequestVariables.Contains(v) && !profile.Variables.ContainsKey(v) && !resolved.RequestVariables.ContainsKey(v)))
            {
                profile.Variables[name] = $"<{name}>";
            }

            TimeProvider? time = null;
            if (apiType == LlmApiType.Async)
            {
                // Polls wait on the profile's clock; an instant clock replays them without waiting.
                profile.Timeout = Timeout.InfiniteTimeSpan;
                time = new InstantTimeProvider();
            }

            handler = new ReplayHandler(recordings, (HttpStatusCode)options.StatusCode);
            var client = resolved.Catalog.CreateClient(profile, handler, time);
            var request = options.Request.ToRequest(options.Call, options.Prompt ?? "Hello", resolved, console);
            if (recordings.Count == 0)
            {
                await CallIgnoringResponseAsync(client, request, cancellationToken);
                WriteRequests(handler, masker);
                return handler.Requests.Count > 0 ? ExitCodes.Ok : ExitCodes.CallFailed;
            }

            var response = await client.CallAsync(request, cancellationToken);
            if (options.ShowRequest)
            {
                WriteRequests(handler, masker);
            }

            if (options.Json)
            {
                console.Out.WriteLine(ResponseJson.Format(response, masker));
                return ExitCodes.Ok;
            }

            WriteResponse(response, masker);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (ErrorReporter.IsReportable(e))
        {
            if (options.ShowRequest && handler is not null && e is not OperationCanceledException)
            {
                WriteRequests(handler, masker);
            }

            return ErrorReporter.Report(e, console, masker, profileName);
        }
        finally
        {
            handler?.Dispose();
        }
    }

    private RecordedResponse LoadRecording(string file, string? contentType)
    {
        var full = console.FullPath(file);
        return File.Exists(full) ? RecordedResponse.Load(full, contentType) : throw new CliUsageException($"The response file {file} does not exist (looked in {full}).");
    }

    private static async Task CallIgnoringResponseAsync(ILlmClient client, LlmRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await client.CallAsync(request, cancellationToken);
        }
        catch (LlmException e) when (e is not (LlmRequestException or LlmConfigurationException))
        {
            // Only the request was asked for; the placeholder answer need not fit the call.
        }
    }

    private void WriteRequests(ReplayHandler handler, SecretMasker masker)
    {
        foreach (var request in handler.Requests)
        {
            console.Out.WriteLine(console.Paint("--- request", AnsiColor.Dim));
            console.Out.Write(request.Format(masker));
        }

        if (handler.Requests.Count > 0)
        {
            console.Out.WriteLine(console.Paint("---", AnsiColor.Dim));
        }
    }

    private void WriteResponse(LlmResponse response, SecretMasker masker)
    {
        var output = console.Out;
        output.WriteLine(console.Paint("text:", AnsiColor.Bold));
        output.WriteLine(masker.Apply(response.Text));
        output.WriteLine(console.Paint("fields:", AnsiColor.Bold));
        var width = response.Fields.Count == 0 ? 0 : response.Fields.Keys.Max(k => k.Length);
        foreach (var (name, value) in response.Fields)
        {
            output.WriteLine($"  {name.PadRight(width)}  {masker.Apply(ResponseJson.FieldText(value))}");
        }

        if (response.Usage is { } usage)
        {
            output.WriteLine($"{console.Paint("usage:", AnsiColor.Bold)} input {usage.InputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, output {usage.OutputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, total {usage.TotalTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        }

        if (response.FinishReason is not null)
        {
            output.WriteLine($"{console.Paint("finish reason:", AnsiColor.Bold)} {response.FinishReason}");
        }
    }
}
