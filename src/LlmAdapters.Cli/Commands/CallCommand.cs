using System.Globalization;
using LlmAdapters.Cli.Output;
using LlmAdapters.Cli.Profiles;

namespace LlmAdapters.Cli.Commands;

/// <summary><c>call</c>: runs a call and streams its text to the output; an async call shows its poll status as it changes.</summary>
/// <remarks>The answer goes to the output; status lines and the usage summary go to the error output, so that a redirected output holds the answer only.</remarks>
internal sealed class CallCommand(CliConsole console)
{
    private readonly Lock _statusLock = new();

    public async Task<int> RunAsync(CallOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var masker = SecretMasker.None;
        var midLine = false;
        string? profileName = null;
        try
        {
            var resolved = ProfileResolver.Resolve(options.Profile, console);
            masker = resolved.Masker;
            profileName = resolved.Name;
            var apiType = resolved.Catalog.GetApiType(resolved.Profile.Adapter, options.Call);
            if (options.Prompt is null && options.Request.System is null && options.Request.Images.Count == 0 && NeedsPrompt(resolved, options.Call))
            {
                throw new CliUsageException($"Call '{options.Call}' of {resolved.Profile.Adapter} needs a prompt: llm-adapters call {options.Profile.Target} --call {options.Call} \"...\".");
            }

            var request = options.Request.ToRequest(options.Call, options.Prompt, resolved, console);
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan }; // the profile's Timeout bounds the call
            var client = resolved.Catalog.CreateClient(resolved.Profile, http, console.Time);
            if (options.Json)
            {
                var response = await client.CallAsync(request, cancellationToken);
                console.Out.WriteLine(ResponseJson.Format(response, masker));
                return ExitCodes.Ok;
            }

            if (apiType == LlmApiType.Async)
            {
                return await RunAsyncCallAsync(client, request, masker, cancellationToken);
            }

            LlmUsage? usage = null;
            string? finishReason = null;
            await foreach (var update in client.StreamUpdatesAsync(request, cancellationToken))
            {
                if (update.Text.Length > 0)
                {
                    await console.Out.WriteAsync(masker.Apply(update.Text));
                    await console.Out.FlushAsync(cancellationToken);
                    midLine = !update.Text.EndsWith('\n');
                }

                usage = update.Usage ?? usage;
                finishReason = update.FinishReason ?? finishReason;
            }

            if (midLine)
            {
                console.Out.WriteLine();
                midLine = false;
            }

            if (console.ErrorIsTerminal && (usage is not null || finishReason is not null))
            {
                console.Error.WriteLine(console.PaintError(Summary(usage, finishReason), AnsiColor.Dim));
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (ErrorReporter.IsReportable(e))
        {
            if (midLine)
            {
                console.Out.WriteLine();
            }

            return ErrorReporter.Report(e, console, masker, profileName);
        }
    }

    /// <summary>True when the call's templates need the prompt (<c>${messages}</c> or <c>${prompt}</c> without a default) and no variable gives it; <c>models</c> needs none.</summary>
    private static bool NeedsPrompt(ResolvedProfile resolved, string call)
        => resolved.Catalog.Describe(resolved.Profile.Adapter).Single(c => c.Name == call).RequiredVariables
            .Any(v => v is "messages" or "prompt" && !resolved.RequestVariables.ContainsKey(v) && !resolved.Profile.Variables.ContainsKey(v));

    private async Task<int> RunAsyncCallAsync(ILlmClient client, LlmRequest request, SecretMasker masker, CancellationToken cancellationToken)
    {
        var started = console.Time.GetTimestamp();
        var live = console.ErrorIsTerminal;
        string? status = null;
        LlmStreamUpdate? last = null;
        using var stopTicker = new CancellationTokenSource();
        var ticker = live ? TickAsync(() => status, started, stopTicker.Token) : Task.CompletedTask;
        try
        {
            await foreach (var update in client.StreamUpdatesAsync(request, cancellationToken))
            {
                last = update;
                if (update.Status is null || update.Status == status)
                {
                    continue;
                }

                status = update.Status;
                if (live)
                {
                    DrawStatus(status, started);
                }
                else
                {
                    var id = update.Fields.TryGetValue("queryid", out var q) ? $" (queryid {masker.Apply(ResponseJson.FieldText(q))})" : string.Empty;
                    console.Error.WriteLine($"[{Elapsed(started)}] {status}{id}");
                }
            }
        }
        finally
        {
            await stopTicker.CancelAsync();
            await ticker;
            if (live)
            {
                lock (_statusLock)
                {
                    console.Error.Write("\r\u001b[2K");
                }
            }
        }

        if (live && status is not null)
        {
            console.Error.WriteLine(console.PaintError($"{status} after {Elapsed(started)}", AnsiColor.Dim));
        }

        console.Out.WriteLine(masker.Apply(last?.Text ?? string.Empty));
        return ExitCodes.Ok;
    }

    private async Task TickAsync(Func<string?> status, long started, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), console.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (status() is { } current)
                {
                    DrawStatus(current, started);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The call ended.
        }
    }

    private void DrawStatus(string status, long started)
    {
        lock (_statusLock)
        {
            console.Error.Write($"\r\u001b[2K{console.PaintError("⏳", AnsiColor.Yellow)} {status}  {console.PaintError(Elapsed(started), AnsiColor.Dim)}");
            console.Error.Flush();
        }
    }

    private string Elapsed(long started) => console.Time.GetElapsedTime(started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";

    private static string Summary(LlmUsage? usage, string? finishReason)
    {
        var parts = new List<string>();
        if (usage is not null)
        {
            parts.Add($"tokens: {usage.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "-"} in, {usage.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "-"} out");
        }

        if (finishReason is not null)
        {
            parts.Add($"finish: {finishReason}");
        }

        return string.Join(" · ", parts);
    }
}
