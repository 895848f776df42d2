using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>
/// <c>GET /stats</c> (JSON) and <c>GET /</c> (the status page, which fetches /stats every few seconds). Counts and key
/// states come from the <see cref="IGatewayStore"/> (with Redis: the totals of every instance); latency percentiles are
/// this instance's, from <see cref="LlmUsageMonitor"/>.
/// </summary>
internal sealed class StatusEndpoints(LlmUsageMonitor monitor, ProfileClients clients, GatewayProfiles profiles, UpstreamKeys keys, IGatewayStore store, GatewayClock clock, GatewayOptions options)
{
    private readonly string _page = StatusPage.Html.Replace("__PATH_PREFIX__", options.PathPrefix, StringComparison.Ordinal);

    public async Task StatsAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var snapshot = monitor.Snapshot();
        var latency = snapshot.Profiles.ToDictionary(p => p.Profile, StringComparer.OrdinalIgnoreCase);
        var counters = await store.GetCountersAsync(cancellationToken);
        var names = clients.Profiles.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();
        var allKeys = await keys.ListAsync(names, cancellationToken);
        var now = clock.Now;
        long Count(string name) => counters.GetValueOrDefault(name);
        var rejected = counters.Where(c => c.Key.StartsWith("rejected|", StringComparison.Ordinal)).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Indented))
        {
            writer.WriteStartObject();
            writer.WriteString("since", snapshot.Since);
            writer.WriteString("at", snapshot.At);
            writer.WriteNumber("uptimeSeconds", Math.Round((snapshot.At - snapshot.Since).TotalSeconds, 1));
            writer.WriteString("store", store.Kind);
            writer.WriteStartObject("totals");
            writer.WriteNumber("requests", names.Sum(n => Count(GatewayCounters.Requests(n))));
            writer.WriteNumber("errors", names.Sum(n => Count(GatewayCounters.Errors(n))));
            writer.WriteNumber("rejected", rejected.Sum(c => c.Value));
            writer.WriteNumber("inputTokens", names.Sum(n => Count(GatewayCounters.InputTokens(n))));
            writer.WriteNumber("outputTokens", names.Sum(n => Count(GatewayCounters.OutputTokens(n))));
            writer.WriteEndObject();
            // Requests refused before any upstream call, by reason (wrong gateway key, unknown model, bad JSON, ...).
            writer.WriteStartObject("rejected");
            foreach (var (name, count) in rejected)
            {
                writer.WriteNumber(name["rejected|".Length..], count);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("profiles");
            foreach (var name in names)
            {
                var usage = latency.GetValueOrDefault(name);
                var profile = clients.Profiles[name];
                writer.WriteStartObject();
                writer.WriteString("profile", name);
                writer.WriteString("adapter", profile.Adapter);
                writer.WriteNumber("requests", Count(GatewayCounters.Requests(name)));
                writer.WriteNumber("errors", Count(GatewayCounters.Errors(name)));
                writer.WriteStartObject("errorsByType");
                var typePrefix = GatewayCounters.ErrorsOfType(name, "");
                foreach (var (counter, count) in counters.Where(c => c.Key.StartsWith(typePrefix, StringComparison.Ordinal)).OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    writer.WriteNumber(counter[typePrefix.Length..], count);
                }

                writer.WriteEndObject();
                writer.WriteNumber("inputTokens", Count(GatewayCounters.InputTokens(name)));
                writer.WriteNumber("outputTokens", Count(GatewayCounters.OutputTokens(name)));
                Milliseconds(writer, "latencyP50Ms", usage?.LatencyP50);
                Milliseconds(writer, "latencyP90Ms", usage?.LatencyP90);
                Milliseconds(writer, "latencyP99Ms", usage?.LatencyP99);
                Milliseconds(writer, "timeToFirstChunkP50Ms", usage?.TimeToFirstChunkP50);

                // Each upstream key by id (never the key): requests, failures and its state now (a rest that is over reads healthy).
                writer.WriteStartArray("keys");
                if (profiles.Get(name) is { ManagesKeys: true })
                {
                    foreach (var key in allKeys.Where(k => string.Equals(k.Profile, name, StringComparison.OrdinalIgnoreCase)))
                    {
                        var state = key.Health.StateAt(now);
                        writer.WriteStartObject();
                        writer.WriteString("id", key.Id);
                        writer.WriteString("source", key.Configured ? "configuration" : "added");
                        writer.WriteNumber("requests", Count(GatewayCounters.KeyRequests(key.Id)));
                        writer.WriteNumber("failures", Count(GatewayCounters.KeyFailures(key.Id)));
                        writer.WriteString("state", KeyStates.Name(state));
                        writer.WriteString("reason", state == KeyState.Healthy ? null : key.Health.Reason);
                        if (state == KeyState.Resting)
                        {
                            writer.WriteString("restUntil", key.Health.RestUntil!.Value);
                        }

                        writer.WriteEndObject();
                    }
                }
                else
                {
                    // Credential sets are rotated by the library in this process: its own view of them.
                    foreach (var key in usage?.Keys ?? [])
                    {
                        writer.WriteStartObject();
                        writer.WriteString("id", key.Fingerprint);
                        writer.WriteString("source", "configuration");
                        writer.WriteNumber("requests", key.Requests);
                        writer.WriteNumber("failures", key.Failures);
                        writer.WriteString("state", key.State);
                        writer.WriteNull("reason");
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    public IResult Page() => Results.Content(_page, "text/html; charset=utf-8");

    private static void Milliseconds(Utf8JsonWriter writer, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, Math.Round(v.TotalMilliseconds, 1));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
