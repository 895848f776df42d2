using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary><c>GET /stats</c> (JSON) and <c>GET /</c> (the status page, which fetches /stats every few seconds), built on <see cref="LlmUsageMonitor.Snapshot"/>.</summary>
internal static class StatusEndpoints
{
    public static async Task StatsAsync(HttpContext context, LlmUsageMonitor monitor, ProfileClients clients)
    {
        var snapshot = monitor.Snapshot();
        var used = snapshot.Profiles.ToDictionary(p => p.Profile, StringComparer.OrdinalIgnoreCase);
        // Every configured profile is listed, with zeros until its first call; the monitor's names win for the ones it saw.
        var names = clients.Profiles.Keys.Where(n => !used.ContainsKey(n)).Concat(used.Keys).Order(StringComparer.OrdinalIgnoreCase).ToList();

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("since", snapshot.Since);
            writer.WriteString("at", snapshot.At);
            writer.WriteNumber("uptimeSeconds", Math.Round((snapshot.At - snapshot.Since).TotalSeconds, 1));
            writer.WriteStartObject("totals");
            writer.WriteNumber("requests", snapshot.Profiles.Sum(p => p.Requests));
            writer.WriteNumber("errors", snapshot.Profiles.Sum(p => p.Errors));
            writer.WriteNumber("inputTokens", snapshot.Profiles.Sum(p => p.InputTokens));
            writer.WriteNumber("outputTokens", snapshot.Profiles.Sum(p => p.OutputTokens));
            writer.WriteEndObject();
            writer.WriteStartArray("profiles");
            foreach (var name in names)
            {
                var usage = used.GetValueOrDefault(name);
                clients.Profiles.TryGetValue(name, out var profile);
                writer.WriteStartObject();
                writer.WriteString("profile", name);
                writer.WriteString("adapter", profile?.Adapter);
                writer.WriteNumber("requests", usage?.Requests ?? 0);
                writer.WriteNumber("errors", usage?.Errors ?? 0);
                writer.WriteStartObject("errorsByType");
                foreach (var (type, count) in usage?.ErrorsByType ?? new Dictionary<string, long>())
                {
                    writer.WriteNumber(type, count);
                }

                writer.WriteEndObject();
                writer.WriteNumber("inputTokens", usage?.InputTokens ?? 0);
                writer.WriteNumber("outputTokens", usage?.OutputTokens ?? 0);
                Milliseconds(writer, "latencyP50Ms", usage?.LatencyP50);
                Milliseconds(writer, "latencyP90Ms", usage?.LatencyP90);
                Milliseconds(writer, "latencyP99Ms", usage?.LatencyP99);
                Milliseconds(writer, "timeToFirstChunkP50Ms", usage?.TimeToFirstChunkP50);
                writer.WriteNumber("upstreamKeys", profile is null ? 0 : profile.ApiKeys.Count + profile.Credentials.Count);
                // Each rotated upstream key by fingerprint (never the key): requests, failures and its state.
                if (usage is null || usage.Keys.Count == 0)
                {
                    writer.WriteNull("keys");
                }
                else
                {
                    writer.WriteStartArray("keys");
                    foreach (var key in usage.Keys)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("fingerprint", key.Fingerprint);
                        writer.WriteNumber("requests", key.Requests);
                        writer.WriteNumber("failures", key.Failures);
                        writer.WriteString("state", key.State);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static IResult Page() => Results.Content(StatusPage.Html, "text/html; charset=utf-8");

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
