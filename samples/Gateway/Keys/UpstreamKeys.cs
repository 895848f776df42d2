using System.Collections.Concurrent;

namespace Gateway;

/// <summary>
/// Every profile's upstream keys (configured, plus added at run time) and their rotation: round-robin over the usable ones;
/// a key the upstream rejects (401/403) leaves the rotation, a rate-limited one (429) rests. State lives in the
/// <see cref="IGatewayStore"/>, so with Redis every instance skips the keys any instance found unusable.
/// </summary>
/// <remarks>Thread-safe. The round-robin position is per instance; health is read from the store on every choice.</remarks>
internal sealed class UpstreamKeys(GatewayProfiles profiles, IGatewayStore store, GatewayClock clock, GatewayOptions options, ILogger<UpstreamKeys> logger)
{
    private readonly ConcurrentDictionary<string, int> _next = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The keys of the named profiles (those the gateway rotates), configured ones first.</summary>
    public async Task<IReadOnlyList<UpstreamKey>> ListAsync(IEnumerable<string> profileNames, CancellationToken cancellationToken)
    {
        var stored = await store.GetKeysAsync(cancellationToken);
        var health = await store.GetHealthAsync(cancellationToken);
        var keys = new List<UpstreamKey>();
        foreach (var name in profileNames)
        {
            if (profiles.Get(name) is not { ManagesKeys: true } profile)
            {
                continue;
            }

            foreach (var key in profile.ConfiguredKeys)
            {
                var id = StoredKey.IdFor(profile.Name, key);
                keys.Add(new UpstreamKey(id, profile.Name, key, true, health.GetValueOrDefault(id) ?? KeyHealth.Unknown, null));
            }

            foreach (var key in stored.Where(k => string.Equals(k.Profile, profile.Name, StringComparison.OrdinalIgnoreCase)))
            {
                if (!keys.Any(k => k.Id == key.Id))
                {
                    keys.Add(new UpstreamKey(key.Id, profile.Name, key.Key, false, health.GetValueOrDefault(key.Id) ?? KeyHealth.Unknown, key.Added));
                }
            }
        }

        return keys;
    }

    /// <summary>The next usable key of the profile not in <paramref name="tried"/>, round-robin; null when none is left, with the profile's keys to say why.</summary>
    public async Task<(UpstreamKey? Key, IReadOnlyList<UpstreamKey> All)> AcquireAsync(string profile, IReadOnlySet<string> tried, CancellationToken cancellationToken)
    {
        var all = await ListAsync([profile], cancellationToken);
        var now = clock.Now;
        var usable = all.Where(k => k.Health.StateAt(now) == KeyState.Healthy && !tried.Contains(k.Id)).ToList();
        if (usable.Count == 0)
        {
            return (null, all);
        }

        var turn = _next.AddOrUpdate(profile, 1, (_, n) => n == int.MaxValue ? 0 : n + 1) - 1;
        return (usable[turn % usable.Count], all);
    }

    /// <summary>The key answered: a key that was resting or rejected is healthy again.</summary>
    public Task SucceededAsync(UpstreamKey key, CancellationToken cancellationToken)
        => key.Health.State == KeyState.Healthy && key.Health.Reason is null
            ? Task.CompletedTask
            : store.SetHealthAsync(key.Id, new KeyHealth(KeyState.Healthy, null, null, clock.Now), cancellationToken);

    /// <summary>The upstream refused the key (401/403, or a check found it invalid): it leaves the rotation on every instance.</summary>
    public async Task RejectedAsync(UpstreamKey key, string reason, CancellationToken cancellationToken)
    {
        GatewayLog.KeyRejected(logger, key.Id, key.Profile, reason);
        await store.SetHealthAsync(key.Id, new KeyHealth(KeyState.Rejected, null, reason, clock.Now), cancellationToken);
    }

    /// <summary>The upstream rate-limited the key (429): it rests for the time the upstream asked, else <see cref="GatewayOptions.RateLimitRest"/>.</summary>
    public async Task RateLimitedAsync(UpstreamKey key, TimeSpan? retryAfter, string reason, CancellationToken cancellationToken)
    {
        var rest = retryAfter is { } wait && wait > TimeSpan.Zero ? wait : options.RateLimitRest;
        GatewayLog.KeyResting(logger, key.Id, key.Profile, rest.TotalSeconds);
        var now = clock.Now;
        await store.SetHealthAsync(key.Id, new KeyHealth(KeyState.Resting, now + rest, reason, now), cancellationToken);
    }
}
