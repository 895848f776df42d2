namespace LlmAdapters.Definitions;

/// <summary>The poll of an async call as written: the <c>query_</c> request and items, and the <c>poll_</c> timings.</summary>
/// <param name="Request">The poll request (<c>query_path</c>, <c>query_method</c>, <c>query_headers</c>, <c>query_params</c>, <c>query_data</c>).</param>
/// <param name="Resp">The <c>query_resp</c> items.</param>
/// <param name="Status">The key path of the task status, or null.</param>
/// <param name="Done">Status values that mean finished; null for the defaults.</param>
/// <param name="Failed">Status values that mean failed; null for the defaults.</param>
/// <param name="Error">The key path of the failure message, or null.</param>
/// <param name="Interval">poll_interval in seconds, or null for the default.</param>
/// <param name="Backoff">poll_backoff (a factor), or null.</param>
/// <param name="MaxInterval">poll_max_interval in seconds, or null.</param>
/// <param name="Timeout">poll_timeout in seconds, or null.</param>
internal sealed record PollDefinition(RequestDefinition Request, IReadOnlyList<ResponseItem> Resp, string? Status, IReadOnlyList<string>? Done, IReadOnlyList<string>? Failed, string? Error, double? Interval, double? Backoff, double? MaxInterval, double? Timeout)
{
    /// <summary><c>query_error_code</c>: the key path of a failed task's code, or null (then the <c>error</c> code path is read).</summary>
    public string? ErrorCode { get; init; }
}
