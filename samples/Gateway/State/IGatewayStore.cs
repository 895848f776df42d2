namespace Gateway;

/// <summary>
/// What gateway instances share: upstream keys added at run time, each key's health (rejected, resting until when),
/// and the counters of the status page. <see cref="MemoryGatewayStore"/> (this process; keys in a file) is the default,
/// <see cref="RedisGatewayStore"/> shares it between instances behind a load balancer.
/// </summary>
/// <remarks>Thread-safe. Every call is one round trip at most; nothing is cached, so what one instance writes the next read of any instance sees.</remarks>
internal interface IGatewayStore
{
    /// <summary>Where the state lives, for the status page ("this process", "redis").</summary>
    string Kind { get; }

    Task<IReadOnlyList<StoredKey>> GetKeysAsync(CancellationToken cancellationToken);

    Task AddKeyAsync(StoredKey key, CancellationToken cancellationToken);

    /// <summary>Removes a runtime-added key and its health; false when no such key was added.</summary>
    Task<bool> RemoveKeyAsync(string id, CancellationToken cancellationToken);

    /// <summary>The recorded health of every key that has one, by key id (a key without a record is healthy).</summary>
    Task<IReadOnlyDictionary<string, KeyHealth>> GetHealthAsync(CancellationToken cancellationToken);

    Task SetHealthAsync(string id, KeyHealth health, CancellationToken cancellationToken);

    /// <summary>Adds to named counters (created at zero).</summary>
    Task IncrementAsync(IReadOnlyList<KeyValuePair<string, long>> counters, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, long>> GetCountersAsync(CancellationToken cancellationToken);
}
