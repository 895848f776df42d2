using System.Collections.Concurrent;

namespace LlmAdapters.Auth;

/// <summary>
/// The tokens of one profile, one per token call and credential (a hash of what the token call sends), kept until they
/// expire (<see cref="AccessToken.UseUntil"/>, on the profile's clock) or a call refuses them (<see cref="Invalidate"/>).
/// </summary>
/// <remarks>
/// Thread-safe, single flight: however many calls need a token at once, one token call is made and all of them await it.
/// The token call runs on its own (a caller that gives up does not cancel it for the others); a failed one is not kept,
/// so the next call tries again.
/// </remarks>
internal sealed class TokenCache(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The usable token of <paramref name="credential"/>, or the one a single <paramref name="fetch"/> gets for every caller waiting.</summary>
    public async Task<AccessToken> GetAsync(string credential, Func<Task<AccessToken>> fetch, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(credential, static _ => new Entry());
        Task<AccessToken> pending;
        lock (entry)
        {
            if (entry.Current is { } current && current.IsUsableAt(time.GetUtcNow()))
            {
                return current;
            }

            pending = entry.Pending ??= RunAsync(entry, fetch);
        }

        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops <paramref name="token"/> (refused by the vendor) unless another caller has already replaced it, so that one refusal makes one token call.</summary>
    public void Invalidate(string credential, AccessToken token)
    {
        if (_entries.TryGetValue(credential, out var entry))
        {
            lock (entry)
            {
                if (ReferenceEquals(entry.Current, token))
                {
                    entry.Current = null;
                }
            }
        }
    }

    private static async Task<AccessToken> RunAsync(Entry entry, Func<Task<AccessToken>> fetch)
    {
        // Yield first: the caller sets Pending (under the lock) before this can finish and clear it.
        await Task.Yield();
        try
        {
            var token = await fetch().ConfigureAwait(false);
            lock (entry)
            {
                entry.Current = token;
            }

            return token;
        }
        finally
        {
            lock (entry)
            {
                entry.Pending = null;
            }
        }
    }

    private sealed class Entry
    {
        public AccessToken? Current { get; set; }

        public Task<AccessToken>? Pending { get; set; }
    }
}
