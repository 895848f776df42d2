namespace LlmAdapters;

/// <summary>One rotated API key of a profile, by fingerprint (never the key): how it has fared.</summary>
/// <param name="Fingerprint">A short hash of the key, such as <c>key#1a2b3c4d</c>.</param>
/// <param name="Requests">Requests sent with the key.</param>
/// <param name="Failures">Requests that failed (any vendor error).</param>
/// <param name="State"><c>healthy</c>, <c>rate_limited</c> (its last request got 429), <c>rejected</c> (401/403: out of rotation) or <c>error</c> (its last request failed otherwise).</param>
public sealed record LlmKeyUsage(string Fingerprint, long Requests, long Failures, string State);
