using System.Globalization;
using LlmAdapters;

namespace Gateway;

/// <summary>
/// Runs one client request against a model's profile, rotating its upstream keys, then against its fallback profiles:
/// a key the upstream rejects (401/403) leaves the rotation and the next key is tried at once; a rate-limited key (429)
/// rests and the next is tried; an unreachable or failing upstream (5xx, timeout) moves on to the next fallback profile.
/// When every key is unusable the answer says so (503), never the upstream's 401 or 429.
/// </summary>
internal sealed class UpstreamCalls(ProfileClients clients, GatewayProfiles profiles, UpstreamKeys keys, GatewayCounters counters, AdapterCalls calls, GatewayClock clock)
{
    /// <summary>Runs <paramref name="attempt"/> until one succeeds or nothing is left to try.</summary>
    /// <remarks><paramref name="attempt"/> must fail before it hands anything to the client (a stream: before its first update), so another key or profile can still answer.</remarks>
    public async Task<(T? Result, OpenAiError? Error)> RunAsync<T>(
        ModelRoute route, ChatCompletionRequest request, Func<ILlmClient, LlmRequest, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var chain = Chain(route.Profile, request);
        var unusable = new List<string>();
        TimeSpan? soonest = null;
        LlmException? lastFailure = null;
        for (var index = 0; index < chain.Count; index++)
        {
            var profile = chain[index];
            var managed = profiles.Get(profile) is { ManagesKeys: true };
            ILlmClient client;
            try
            {
                client = clients.Get(profile);
            }
            catch (LlmConfigurationException e)
            {
                return (default, OpenAiError.From(e));
            }

            var tried = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                UpstreamKey? key = null;
                if (managed)
                {
                    var (next, all) = await keys.AcquireAsync(profile, tried, cancellationToken);
                    if (next is null && all.Count > 0)
                    {
                        unusable.Add(Describe(profile, all, ref soonest));
                        break;
                    }

                    key = next;
                }

                try
                {
                    var result = await attempt(client, request.ToLlmRequest(index == 0 ? route.UpstreamModel : null, key?.Key), cancellationToken);
                    if (key is not null)
                    {
                        await counters.KeyUsedAsync(key.Id, failed: false);
                        await keys.SucceededAsync(key, cancellationToken);
                    }

                    return (result, null);
                }
                catch (LlmHttpException e) when (key is not null && e.StatusCode is 401 or 403 or 429)
                {
                    await counters.KeyUsedAsync(key.Id, failed: true);
                    var reason = $"{e.StatusCode}: {OpenAiError.Clean(e.VendorMessage ?? e.Message)}";
                    if (e.StatusCode == 429)
                    {
                        await keys.RateLimitedAsync(key, e.RetryAfter, reason, cancellationToken);
                    }
                    else
                    {
                        await keys.RejectedAsync(key, reason, cancellationToken);
                    }

                    tried.Add(key.Id);
                }
                catch (LlmException e) when (index + 1 < chain.Count && FallsBack(e))
                {
                    if (key is not null)
                    {
                        await counters.KeyUsedAsync(key.Id, failed: true);
                    }

                    lastFailure = e;
                    break;
                }
                catch (LlmException e)
                {
                    if (key is not null)
                    {
                        await counters.KeyUsedAsync(key.Id, failed: true);
                    }

                    if (unusable.Count == 0)
                    {
                        return (default, OpenAiError.From(e));
                    }

                    lastFailure = e;
                    break;
                }
            }
        }

        var tail = lastFailure is null ? "" : $" The last profile tried failed: {OpenAiError.From(lastFailure).Message}";
        var fallbacks = chain.Count > 1 ? $" (fallback profiles tried: {string.Join(", ", chain.Skip(1))})" : "";
        return (default, OpenAiError.KeysUnusable(
            $"The upstream keys of model '{route.ClientModel}'{fallbacks} are unusable: {string.Join("; ", unusable)}. This is not about your gateway key; the gateway's operator must add or fix upstream keys.{tail}",
            soonest));
    }

    /// <summary>The profile, then its fallbacks that can honour every parameter of the request (a fallback that would drop one is skipped).</summary>
    private List<string> Chain(string profile, ChatCompletionRequest request)
    {
        var chain = new List<string> { profile };
        foreach (var fallback in profiles.Get(profile)?.Fallbacks ?? [])
        {
            if (clients.Find(fallback) is { } name && !chain.Contains(name, StringComparer.OrdinalIgnoreCase)
                && request.UnsupportedBy(calls.Chat(clients.Profiles[name].Adapter)) is null)
            {
                chain.Add(name);
            }
        }

        return chain;
    }

    private string Describe(string profile, IReadOnlyList<UpstreamKey> all, ref TimeSpan? soonest)
    {
        var now = clock.Now;
        var rejected = all.Count(k => k.Health.StateAt(now) == KeyState.Rejected);
        var resting = all.Where(k => k.Health.StateAt(now) == KeyState.Resting).ToList();
        var parts = new List<string>();
        if (rejected > 0)
        {
            parts.Add($"{rejected} rejected by the upstream (401/403)");
        }

        if (resting.Count > 0)
        {
            var until = resting.Min(k => k.Health.RestUntil!.Value);
            var wait = until - now;
            soonest = soonest is { } s && s < wait ? s : wait;
            parts.Add($"{resting.Count} resting after rate limits (429) until {until.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
        }

        var tried = all.Count - rejected - resting.Count;
        if (tried > 0)
        {
            parts.Add($"{tried} failed just now");
        }

        return $"profile '{profile}' has {all.Count} key{(all.Count == 1 ? "" : "s")}, {string.Join(", ", parts)}";
    }

    private static bool FallsBack(LlmException e) => e switch
    {
        LlmHttpException http => http.StatusCode is 0 or 401 or 403 or 408 or 429 or >= 500,
        LlmRateLimitedException or LlmTimeoutException or LlmStreamException => true,
        _ => false,
    };
}
