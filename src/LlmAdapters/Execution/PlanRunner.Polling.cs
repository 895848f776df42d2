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
    /// </summary>
    public async IAsyncEnumerable<PollEvent> RunPollAsync(CallPlan call, LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var poll = call.Poll!;
        var time = Settings.TimeProvider;
        var started = time.GetTimestamp();

        // One key for the whole task: vendors let only the account that submitted a task query it.
        var key = Settings.Keys?.Acquire(time.GetUtcNow());
        Dictionary<string, JsonElement> submitted;
        if (request.QueryId is { } resumeId)
        {
            submitted = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [QueryIdField] = JsonValues.String(resumeId) };
        }
        else
        {
            // Never retried: a second submit would start a second (paid) job.
            var submit = await CallSyncAsync(call, request, cancellationToken, retry: false, key: key).ConfigureAwait(false);
            submitted = new Dictionary<string, JsonElement>(submit.Fields, StringComparer.Ordinal);
            CheckSubmitted(call, submitted, submit);
        }

        var queryId = submitted.TryGetValue(QueryIdField, out var id) && id.ValueKind is not JsonValueKind.Null ? JsonValues.ToText(id) : null;
        yield return new PollEvent(PollEvent.Submitted, submitted, null);

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
            if (time.GetElapsedTime(started) >= poll.Timeout && wait >= remaining)
            {
                throw PollTimedOut(call, queryId, lastStatus, polls);
            }

            PollOutcome outcome;
            try
            {
                outcome = await QueryOnceAsync(call, poll, scope, cancellationToken).ConfigureAwait(false);
            }
            catch (LlmHttpException e) when (IsTransient(e.StatusCode))
            {
                wait = e.RetryAfter is { } retryAfter && retryAfter > interval ? retryAfter : interval;
                outcome = new PollOutcome(PollEvent.Retrying, null, null);
            }
            catch (LlmTimeoutException)
            {
                wait = interval;
                outcome = new PollOutcome(PollEvent.Retrying, null, null);
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
            var fields = outcome.Fields!;
            if (outcome.Finished)
            {
                var merged = new Dictionary<string, JsonElement>(submitted, StringComparer.Ordinal);
                foreach (var (name, value) in fields)
                {
                    merged[name] = value;
                }

                var text = outcome.RawText ?? poll.Response.TextFrom(fields);
                var result = new LlmResponse(text, merged, outcome.StatusCode, ResponseMap.UsageFrom(merged), ResponseMap.FinishReasonFrom(merged));
                yield return new PollEvent(PollEvent.Finished, merged, result);
                yield break;
            }

            if (outcome.Failed)
            {
                var detail = outcome.FailureMessage is null ? string.Empty : $": {outcome.FailureMessage}";
                throw new LlmPollException(
                    Settings.Redactor.Redact($"The task of {call.DisplayName} (profile '{Settings.ProfileName}', query id {queryId ?? "unknown"}) failed with status '{outcome.Status}'{detail}."),
                    queryId,
                    outcome.Status,
                    timedOut: false,
                    outcome.FailureMessage is null ? null : Settings.Redactor.Redact(outcome.FailureMessage));
            }

            yield return new PollEvent(outcome.Status ?? "running", fields, null);
            interval = poll.NextInterval(interval);
            wait = interval;
        }
    }

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

    private static bool IsTransient(int status) => status is 0 or 408 or 429 or >= 500;

    private void CheckSubmitted(CallPlan call, Dictionary<string, JsonElement> submitted, LlmResponse submit)
    {
        // A query that needs a submit item the response lacked would fail with a confusing "variable has no value".
        foreach (var name in call.Poll!.Query.VariableNames)
        {
            if (submitted.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Null)
            {
                var path = call.Response.Fields.First(f => f.Name == name).PathText;
                throw new LlmPollException(
                    Settings.Redactor.Redact($"The submit response of {call.DisplayName} has no '{name}' (resp path '{path}'), which the query request needs; nothing was polled. Response fields: {string.Join(", ", submit.Fields.Select(f => $"{f.Key}={f.Value.GetRawText()}"))}."),
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
                var body = await ReadBodyAsync(response.Content, call, token).ConfigureAwait(false);
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
                    string? state = null;
                    if (poll.Status is not null && poll.Status.TryEvaluate(root, out var value))
                    {
                        state = JsonValues.ToText(value);
                    }

                    // A response with a task status says itself whether the task failed; the in-band rule is for the others.
                    if (state is null && call.Error.IsInBandError(root))
                    {
                        var (vendorMessage, vendorCode) = call.Error.Extract(root);
                        throw HttpErrors.Create(status, "with an error in the body", vendorMessage, vendorCode, Encoding.UTF8.GetString(body), null, call, Settings);
                    }

                    var fields = poll.Response.Map(root, call.DisplayName);
                    if (poll.Status is null)
                    {
                        return new PollOutcome(status == 202 ? "running" : "finished", fields, null) { Finished = status != 202, StatusCode = status };
                    }

                    var failureMessage = poll.Error is not null && poll.Error.TryEvaluate(root, out var failure) ? JsonValues.ToText(failure) : null;
                    failureMessage ??= call.Error.Extract(root).Message;
                    return new PollOutcome(state ?? "running", fields, failureMessage)
                    {
                        Finished = state is not null && poll.IsDone(state),
                        Failed = state is not null && poll.IsFailed(state),
                        StatusCode = status,
                    };
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private sealed record PollOutcome(string? Status, Dictionary<string, JsonElement>? Fields, string? FailureMessage)
    {
        public bool Finished { get; init; }

        public bool Failed { get; init; }

        public int StatusCode { get; init; }

        public string? RawText { get; init; }
    }
}
