using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Reliability;

/// <summary>A profile's several API keys (or credential sets), handed out round-robin; keys rejected with 401/403 leave the rotation, keys rate-limited with 429 rest for the time the vendor asked.</summary>
/// <remarks>Thread-safe. Shared by every client of the profile (in DI), so what one client learns about a key the others know.</remarks>
internal sealed class KeyPool
{
    /// <summary>How long a key rests after a 429 that did not say how long.</summary>
    public static readonly TimeSpan DefaultRest = TimeSpan.FromSeconds(1);

    private readonly KeyEntry[] _entries;
    private readonly object _gate = new();
    private int _next;

    private KeyPool(string profile, KeyEntry[] entries)
    {
        Profile = profile;
        _entries = entries;
        Signature = string.Join(",", entries.Select(e => e.Fingerprint));
    }

    public string Profile { get; }

    /// <summary>Identifies the key set, so a pool is rebuilt when the configuration's keys change.</summary>
    public string Signature { get; }

    public IReadOnlyList<KeyEntry> Entries => _entries;

    /// <summary>A pool for the profile's ApiKeys or Credentials; null when it has neither (its Variables hold the one key).</summary>
    public static KeyPool? Create(string profileName, LlmProfile profile)
    {
        var sets = new List<Dictionary<string, JsonElement>>();
        foreach (var key in profile.ApiKeys.Where(k => !string.IsNullOrEmpty(k)))
        {
            sets.Add(new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["apikey"] = JsonValues.String(key) });
        }

        foreach (var credential in profile.Credentials)
        {
            sets.Add(credential.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => JsonValues.String(c.Value!), StringComparer.Ordinal));
        }

        return sets.Count == 0 ? null : new KeyPool(profileName, [.. sets.Select((s, i) => new KeyEntry(Fingerprint(s, profile), s))]);
    }

    /// <summary>Every secret value of the pool, for redaction.</summary>
    public static IEnumerable<string> Secrets(LlmProfile profile)
        => profile.ApiKeys.Concat(profile.Credentials.SelectMany(c => c.Where(v => SecretRedactor.IsSecretName(v.Key, profile.SecretVariables)).Select(v => v.Value ?? string.Empty)));

    /// <summary>The next usable key, round-robin.</summary>
    /// <exception cref="LlmRateLimitedException">Every key is resting or out of rotation.</exception>
    public KeyEntry Acquire(DateTimeOffset now)
    {
        lock (_gate)
        {
            for (var i = 0; i < _entries.Length; i++)
            {
                var entry = _entries[(_next + i) % _entries.Length];
                if (entry.IsUsable(now))
                {
                    _next = (_next + i + 1) % _entries.Length;
                    entry.Requests++;
                    return entry;
                }
            }

            var resting = _entries.Where(e => !e.Disabled).Select(e => e.RestUntil).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (resting == DateTimeOffset.MaxValue)
            {
                throw new LlmRateLimitedException(
                    $"Every API key of profile '{Profile}' was rejected by the vendor (401/403) and is out of rotation ({string.Join(", ", _entries.Select(e => e.Fingerprint))}); check the keys and restart or reload the configuration.",
                    null);
            }

            var wait = resting - now;
            throw new LlmRateLimitedException(
                $"Every API key of profile '{Profile}' is resting after rate limits; the first is usable again in {wait.TotalSeconds:0.###} s (at {resting:HH:mm:ss.fff} UTC). Retry then, add keys, or add a fallback profile.",
                wait);
        }
    }

    /// <summary>Updates a key after a failed request; returns the change to report (null when none).</summary>
    public string? Failed(KeyEntry entry, int status, TimeSpan? retryAfter, DateTimeOffset now)
    {
        lock (_gate)
        {
            entry.Failures++;
            if (status is 401 or 403)
            {
                entry.Disabled = true;
                return $"was rejected with {status} and leaves the rotation";
            }

            if (status == 429)
            {
                var rest = retryAfter ?? DefaultRest;
                entry.RestUntil = now + rest;
                return $"is rate limited and rests for {rest.TotalSeconds:0.###} s";
            }

            return null;
        }
    }

    private static string Fingerprint(Dictionary<string, JsonElement> set, LlmProfile profile)
    {
        // A short hash of the secret values: enough to tell keys apart in logs, useless to an attacker.
        var secret = string.Join("\n", set.Where(v => SecretRedactor.IsSecretName(v.Key, profile.SecretVariables)).Select(v => JsonValues.ToText(v.Value)));
        if (secret.Length == 0)
        {
            secret = string.Join("\n", set.Select(v => JsonValues.ToText(v.Value)));
        }

        return "key#" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..8].ToLowerInvariant();
    }
}

/// <summary>One key (or credential set) of a <see cref="KeyPool"/>.</summary>
internal sealed class KeyEntry(string fingerprint, IReadOnlyDictionary<string, JsonElement> variables)
{
    public string Fingerprint { get; } = fingerprint;

    /// <summary>The variables this key fills (apikey, or a whole credential set).</summary>
    public IReadOnlyDictionary<string, JsonElement> Variables { get; } = variables;

    public long Requests { get; set; }

    public long Failures { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset RestUntil { get; set; } = DateTimeOffset.MinValue;

    public bool IsUsable(DateTimeOffset now) => !Disabled && RestUntil <= now;
}
