using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>The submit response item that holds the task's id, and the variable the query reads it from.</summary>
    public const string QueryIdField = "queryid";

    /// <summary>
    /// Runs an async call: the submit (never retried: it would start a second paid job), then polls until the task is
    /// finished, failed, or past the deadline. Waits go through the profile's TimeProvider, so no thread is held while waiting.
    /// A poll that fails transiently (network error, 408, 429, 5xx, timeout) is retried within the deadline, honouring Retry-After.
    /// A submit response that already reads finished or failed (at the <c>query_status</c> path) ends the call without a poll.
    /// </summary>
    public async IAsyncEnumerable<PollEvent> RunPollAsync(CallPlan call, LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var poll = call.Poll!;
        var time = Settings.TimeProvider;
        var started = time.GetTimestamp();

        // One key for the whole task: vendors let only the account that submitted a task query it.
        var key = Settings.Keys?.Acquire(time.GetUtcNow());
        Dictionary<string, JsonElement> submitted;
        PollOutcome? terminal = null;
        if (request.QueryId is { } resumeId)
        {
            submitted = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [QueryIdField] = JsonValues.String(resumeId) };
        }
        else
        {
            // Never retried: a second submit would start a second (paid) job.
            (submitted, terminal) = await SubmitAsync(call, request, key, cancellationToken).ConfigureAwait(false);
            if (terminal is null)
            {
                CheckSubmitted(call, submitted);
            }
        }

        var queryId = submitted.TryGetValue(QueryIdField, out var id) && id.ValueKind is not JsonValueKind.Null ? JsonValues.ToText(id) : null;
        yield return new PollEvent(PollEvent.Submitted, submitted, null);

        if (terminal is not null)
        {
            // The vendor answered at once (Replicate's "Prefer: wait", a cached result): nothing to poll.
            Observability.Log.PollStatus(Settings.Logger, call.Adapter, call.Name, Settings.ProfileName, queryId, terminal.Status ?? "finished");
            yield return Conclude(call, submitted, terminal, queryId);
            yield break;
        }

        var scope = CreateScope(request, key).With(submitted);
        var interval = poll.Interval;
        var wait = interval;
        string? lastStatus = null;
        var polls = 0;
        while (true)
        {
            var remaining = poll.Timeout - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw PollTimedOut(call, queryId, lastStatus, polls);
            }

            await Task.Delay(wait < remaining ? wait : remaining, time, cancellationToken).ConfigureAwait(false);
            remaining = poll.Timeout - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw PollTimedOut(call, queryId, lastStatus, polls);
            }

            PollOutcome outcome;

            // The deadline also bounds each poll request: a vendor that accepts a poll and never answers cannot hold
            // the call past poll_timeout (the profile's Timeout may be longer, or infinite).
            using (var deadline = new CancellationTokenSource(remaining, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
            {
                try
                {
                    outcome = await QueryOnceAsync(call, poll, scope, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw PollTimedOut(call, queryId, lastStatus, polls);
                }
                catch (LlmHttpException e) when (IsTransient(e))
                {
                    wait = e.RetryAfter is { } retryAfter && retryAfter > interval ? retryAfter : interval;
                    outcome = new PollOutcome(PollEvent.Retrying, null, null);
                }
                catch (LlmTimeoutException)
                {
                    wait = interval;
                    outcome = new PollOutcome(PollEvent.Retrying, null, null);
                }
            }

            if (outcome.Status == PollEvent.Retrying)
            {
                yield return new PollEvent(PollEvent.Retrying, submitted, null);
                continue;
            }

            polls++;
            if (outcome.Status != lastStatus)
            {
                Observability.Log.PollStatus(Settings.Logger, call.Adapter, call.Name, Settings.ProfileName, queryId, outcome.Status ?? "running");
            }

            lastStatus = outcome.Status;
            if (outcome.Finished || outcome.Failed)
            {
                yield return Conclude(call, submitted, outcome, queryId);
                yield break;
            }

            yield return new PollEvent(outcome.Status ?? "running", outcome.Fields!, null);
            interval = poll.NextInterval(interval);
            wait = interval;
        }
    }

    /// <summary>The result of a finished task (the submit's items with the <c>query_resp</c> items over them); a failed task throws.</summary>
    /// <exception cref="LlmPollException">The task failed.</exception>
    private PollEvent Conclude(CallPlan call, Dictionary<string, JsonElement> submitted, PollOutcome outcome, string? queryId)
    {
        var fields = outcome.Fields!;
        if (outcome.Finished)
        {
            var merged = new Dictionary<string, JsonElement>(submitted, StringComparer.Ordinal);
            foreach (var (name, value) in fields)
            {
                merged[name] = value;
            }

            var text = outcome.RawText ?? call.Poll!.Response.TextFrom(fields);
            var result = new LlmResponse(text, merged, outcome.StatusCode, ResponseMap.UsageFrom(merged), ResponseMap.FinishReasonFrom(merged));
            return new PollEvent(PollEvent.Finished, merged, result);
        }

        var detail = outcome.FailureMessage is null ? string.Empty : $": {outcome.FailureMessage}";
        var code = outcome.FailureCode is null ? string.Empty : $" (code {outcome.FailureCode})";
        throw new LlmPollException(
            Settings.Redactor.Redact($"The task of {call.DisplayName} (profile '{Settings.ProfileName}', query id {queryId ?? "unknown"}) failed with status '{outcome.Status}'{detail}{code}."),
            queryId,
            outcome.Status,
            timedOut: false,
            outcome.FailureMessage is null ? null : Settings.Redactor.Redact(outcome.FailureMessage),
            outcome.FailureCode is null ? null : Settings.Redactor.Redact(outcome.FailureCode));
    }

    /// <summary>
    /// Sends the submit and maps its <c>resp</c> items. When its response already reads finished or failed at the
    /// <c>query_status</c> path, that outcome comes too (mapped by <c>query_resp</c>), and the task's own status decides
    /// whether the body is an error, as it does for a poll response.
    /// </summary>
    private Task<(Dictionary<string, JsonElement> Submitted, PollOutcome? Terminal)> SubmitAsync(CallPlan call, LlmRequest request, Reliability.KeyEntry? key, CancellationToken cancellationToken)
        => WithTimeoutAsync(call, async token =>
        {
            using var message = RequestBuilder.Build(call.Request, CreateScope(request, key), Settings, call);
            using var response = await SendAsync(message, call, token).ConfigureAwait(false);
            var body = await ReadWholeBodyAsync(response, call, token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (call.Poll!.Status is not null && HttpErrors.TryParseValue(body, out var root) && StatusOf(call, root) is { } state
                && (call.Poll.IsDone(state) || call.Poll.IsFailed(state)))
            {
                var terminal = Outcome(call, root, state, status);
                return (call.Response.Map(root, call.DisplayName, clone: false), (PollOutcome?)terminal);
            }

            var submit = MapSync(call, body, status, response);
            return (new Dictionary<string, JsonElement>(submit.Fields, StringComparer.Ordinal), (PollOutcome?)null);
        }, cancellationToken);

    /// <summary>Runs an async call to its result.</summary>
    public async Task<LlmResponse> CallPollAsync(CallPlan call, LlmRequest request, CancellationToken cancellationToken)
    {
        await foreach (var step in RunPollAsync(call, request, cancellationToken).ConfigureAwait(false))
        {
            if (step.Result is { } result)
            {
                return result;
            }
        }

        throw new InvalidOperationException("The poll loop ended without a result."); // RunPollAsync either yields a result or throws
    }

    /// <summary>A poll failure worth another poll: network errors, a connection that failed mid-body, 408, 429 and 5xx.</summary>
    /// <remarks>The vendor's own word (<c>x-should-retry</c>, an in-band code in <c>retry_codes</c>) overrides the status rule.</remarks>
    private static bool IsTransient(LlmHttpException e) => e.ConnectionFailed || e.StatusCode == 0 || (e.ShouldRetry ?? e.StatusCode is 408 or 429 or >= 500);

    private void CheckSubmitted(CallPlan call, Dictionary<string, JsonElement> submitted)
    {
        // A query that needs a submit item the response lacked would fail with a confusing "variable has no value".
        foreach (var name in call.Poll!.Query.VariableNames)
        {
            if (submitted.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Null)
            {
                var path = call.Response.Fields.First(f => f.Name == name).PathText;
                throw new LlmPollException(
                    Settings.Redactor.Redact($"The submit response of {call.DisplayName} has no '{name}' (resp path '{path}'), which the query request needs; nothing was polled. Response fields: {string.Join(", ", submitted.Select(f => $"{f.Key}={f.Value.GetRawText()}"))}."),
                    null,
                    null,
                    timedOut: false);
            }
        }
    }

    private LlmPollException PollTimedOut(CallPlan call, string? queryId, string? lastStatus, int polls)
        => new(
            Settings.Redactor.Redact($"The task of {call.DisplayName} (profile '{Settings.ProfileName}', query id {queryId ?? "unknown"}) did not finish within the poll_timeout of {call.Poll!.Timeout.TotalSeconds:0.###} s; {polls} polls, last status '{lastStatus ?? "none"}'. It may still finish: wait for it again with LlmRequest.QueryId = \"{queryId}\"."),
            queryId,
            lastStatus,
            timedOut: true);

    private async Task<PollOutcome> QueryOnceAsync(CallPlan call, PollPlan poll, VariableScope scope, CancellationToken cancellationToken)
    {
        var message = RequestBuilder.Build(poll.Query, scope, Settings, call);
        return await WithTimeoutAsync(call, async token =>
        {
            using (message)
            {
                using var response = await SendAsync(message, call, token).ConfigureAwait(false);
                var body = await ReadWholeBodyAsync(response, call, token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (!HttpErrors.TryParse(body, out var document))
                {
                    // Not JSON: finished unless the vendor says 202 Accepted (still running).
                    return status == 202
                        ? new PollOutcome("running", new Dictionary<string, JsonElement>(), null) { StatusCode = status }
                        : new PollOutcome("finished", new Dictionary<string, JsonElement>(), null) { Finished = true, StatusCode = status, RawText = Encoding.UTF8.GetString(body) };
                }

                using (document)
                {
                    var root = document.RootElement;
                    var state = StatusOf(call, root);

                    // A response with a task status says itself whether the task failed; the in-band rule is for the others.
                    if (state is null && call.Error.IsInBandError(root))
                    {
                        var (vendorMessage, vendorCode) = call.Error.Extract(root);
                        var reason = JsonValues.IsText(body) ? "with an error in the body" : "with an error in a body that is not valid text (invalid UTF-8 or half a surrogate pair)";
                        throw HttpErrors.Create(status, reason, vendorMessage, vendorCode, Encoding.UTF8.GetString(body), null, call, Settings);
                    }

                    if (poll.Status is null)
                    {
                        var fields = poll.Response.Map(root, call.DisplayName);
                        return new PollOutcome(status == 202 ? "running" : "finished", fields, null) { Finished = status != 202, StatusCode = status };
                    }

                    return Outcome(call, root, state ?? "running", status);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The task's status at the <c>query_status</c> path of a poll (or submit) response; null when the definition or the response has none.</summary>
    /// <exception cref="LlmException">The status is a string that is not text.</exception>
    private static string? StatusOf(CallPlan call, JsonElement root)
    {
        var poll = call.Poll!;
        if (poll.Status is null || !poll.Status.TryEvaluate(root, out var value))
        {
            return null;
        }

        return JsonValues.IsText(value)
            ? JsonValues.ToText(value)
            : throw new LlmException($"The response to {call.DisplayName} is not valid text: its task status (query_status '{poll.Status.PathText}') holds a string that is not valid UTF-8 or has half a surrogate pair, so it cannot be read.");
    }

    /// <summary>A response whose task status is <paramref name="state"/>: its <c>query_resp</c> items, and for a failed task the vendor's message and code.</summary>
    private static PollOutcome Outcome(CallPlan call, JsonElement root, string state, int status)
    {
        var poll = call.Poll!;
        var fields = poll.Response.Map(root, call.DisplayName);
        var failed = poll.IsFailed(state);
        string? failureMessage = null;
        string? failureCode = null;
        if (failed)
        {
            // A message that is not text is left out rather than guessed at; the status still says the task failed.
            failureMessage = poll.Error is not null && poll.Error.TryEvaluate(root, out var failure) && JsonValues.IsText(failure) ? JsonValues.ToText(failure) : null;
            failureMessage ??= call.Error.Extract(root).Message;
            failureCode = poll.ErrorCode is not null && poll.ErrorCode.TryEvaluate(root, out var code) && code.ValueKind is JsonValueKind.String or JsonValueKind.Number && JsonValues.IsText(code) && JsonValues.ToText(code) is { Length: > 0 } codeText
                ? codeText
                : call.Error.FailureCode(root);
        }

        return new PollOutcome(state, fields, failureMessage)
        {
            Finished = poll.IsDone(state),
            Failed = failed,
            StatusCode = status,
            FailureCode = failureCode,
        };
    }

    private sealed record PollOutcome(string? Status, Dictionary<string, JsonElement>? Fields, string? FailureMessage)
    {
        public bool Finished { get; init; }

        public bool Failed { get; init; }

        public int StatusCode { get; init; }

        public string? RawText { get; init; }

        /// <summary>A failed task's code, from the definition's <c>error</c> code path (an ok code is none).</summary>
        public string? FailureCode { get; init; }
    }
}
