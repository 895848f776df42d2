using LlmAdapters;

namespace Gateway;

/// <summary>The names of the status page's counters in the <see cref="IGatewayStore"/>, and how a request adds to them.</summary>
internal sealed class GatewayCounters(IGatewayStore store, ILogger<GatewayCounters> logger)
{
    public static string Requests(string profile) => "requests|" + profile;

    public static string Errors(string profile) => "errors|" + profile;

    public static string ErrorsOfType(string profile, string type) => "errors_by_type|" + profile + "|" + type;

    public static string InputTokens(string profile) => "input_tokens|" + profile;

    public static string OutputTokens(string profile) => "output_tokens|" + profile;

    public static string KeyRequests(string id) => "key_requests|" + id;

    public static string KeyFailures(string id) => "key_failures|" + id;

    public static string Rejected(string reason) => "rejected|" + reason;

    /// <summary>A request the gateway refused before any upstream call: <c>unauthorized</c>, <c>unknown_model</c>, <c>bad_request</c>, <c>unsupported_parameter</c>.</summary>
    public Task RejectedAsync(string reason) => AddAsync([new(Rejected(reason), 1)]);

    /// <summary>One client request to a model (profile), answered or failed.</summary>
    public Task CompletedAsync(string profile, LlmUsage? usage, string? errorType)
    {
        var counters = new List<KeyValuePair<string, long>> { new(Requests(profile), 1) };
        if (errorType is not null)
        {
            counters.Add(new(Errors(profile), 1));
            counters.Add(new(ErrorsOfType(profile, errorType), 1));
        }

        if (usage is not null)
        {
            counters.Add(new(InputTokens(profile), usage.InputTokens ?? 0));
            counters.Add(new(OutputTokens(profile), usage.OutputTokens ?? 0));
        }

        return AddAsync(counters);
    }

    /// <summary>One upstream attempt with a key.</summary>
    public Task KeyUsedAsync(string id, bool failed)
        => AddAsync(failed ? [new(KeyRequests(id), 1), new(KeyFailures(id), 1)] : [new(KeyRequests(id), 1)]);

    /// <summary>Counting never fails a request: a store that cannot be written is logged.</summary>
    private async Task AddAsync(IReadOnlyList<KeyValuePair<string, long>> counters)
    {
        try
        {
            await store.IncrementAsync(counters, CancellationToken.None);
        }
        catch (Exception e)
        {
            GatewayLog.CountersFailed(logger, e, store.Kind);
        }
    }
}
