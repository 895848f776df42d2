using LlmAdapters.Mapping;

namespace LlmAdapters.Compilation;

/// <summary>The compiled poll loop of an async call: the query request, how to read the task's status, and the timing.</summary>
internal sealed class PollPlan
{
    /// <summary>Status values that mean finished when the definition names none (compared ignoring case).</summary>
    public static readonly IReadOnlyList<string> DefaultDone = ["succeeded", "success", "successful", "completed", "complete", "done", "finished"];

    /// <summary>Status values that mean failed when the definition names none (compared ignoring case).</summary>
    public static readonly IReadOnlyList<string> DefaultFailed = ["failed", "fail", "failure", "error", "canceled", "cancelled", "expired", "unknown"];

    public PollPlan(RequestPlan query, ResponseMap response, ResponseField? status, ResponseField? error, IReadOnlyList<string>? done, IReadOnlyList<string>? failed, TimeSpan interval, double backoff, TimeSpan maxInterval, TimeSpan timeout)
    {
        Query = query;
        Response = response;
        Status = status;
        Error = error;
        Done = done ?? DefaultDone;
        Failed = failed ?? DefaultFailed;
        Interval = interval;
        Backoff = backoff;
        MaxInterval = maxInterval < interval ? interval : maxInterval;
        Timeout = timeout;
    }

    public RequestPlan Query { get; }

    /// <summary>The <c>query_resp</c> items, mapped from the finished poll response.</summary>
    public ResponseMap Response { get; }

    /// <summary><c>query_status</c>; null when the definition has none (then 202 means running, any other 2xx finished).</summary>
    public ResponseField? Status { get; }

    /// <summary><c>query_error</c>: where a failed task's message is.</summary>
    public ResponseField? Error { get; }

    /// <summary><c>query_error_code</c>: where a failed task's code is; null to read the call's <c>error</c> code path.</summary>
    public ResponseField? ErrorCode { get; init; }

    public IReadOnlyList<string> Done { get; }

    public IReadOnlyList<string> Failed { get; }

    public TimeSpan Interval { get; }

    public double Backoff { get; }

    public TimeSpan MaxInterval { get; }

    /// <summary>The deadline for the whole poll loop, from the submit.</summary>
    public TimeSpan Timeout { get; }

    public bool IsDone(string status) => Contains(Done, status);

    public bool IsFailed(string status) => Contains(Failed, status);

    /// <summary>The wait after a poll that found the task running: the interval grown by the backoff factor, capped.</summary>
    public TimeSpan NextInterval(TimeSpan current)
        => TimeSpan.FromTicks(Math.Min(MaxInterval.Ticks, (long)(current.Ticks * Backoff)));

    private static bool Contains(IReadOnlyList<string> values, string status)
    {
        foreach (var value in values)
        {
            if (string.Equals(value, status, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
