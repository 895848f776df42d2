namespace LlmAdapters;

/// <summary>What one profile has done since the monitor started: requests, errors, tokens and latency percentiles.</summary>
/// <param name="Profile">The profile's name.</param>
/// <param name="Requests">Calls that ended (successfully or not).</param>
/// <param name="Errors">Calls that failed.</param>
/// <param name="ErrorsByType">Failed calls by <c>error.type</c> (an HTTP status such as "429", or an exception type).</param>
/// <param name="InputTokens">Input tokens reported by the vendor.</param>
/// <param name="OutputTokens">Output tokens reported by the vendor.</param>
/// <param name="LatencyP50">Median call duration over the most recent calls (null before any).</param>
/// <param name="LatencyP90">90th percentile call duration.</param>
/// <param name="LatencyP99">99th percentile call duration.</param>
/// <param name="TimeToFirstChunkP50">Median time to the first streamed chunk.</param>
/// <param name="Keys">Each rotated API key's health, when the profile has several keys.</param>
public sealed record LlmProfileUsage(
    string Profile,
    long Requests,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorsByType,
    long InputTokens,
    long OutputTokens,
    TimeSpan? LatencyP50,
    TimeSpan? LatencyP90,
    TimeSpan? LatencyP99,
    TimeSpan? TimeToFirstChunkP50,
    IReadOnlyList<LlmKeyUsage> Keys);
