using System.Text.Json;
using StackExchange.Redis;

namespace Gateway;

/// <summary>The shared store: keys, health and counters in three Redis hashes (<c>&lt;prefix&gt;keys</c>, <c>health</c>, <c>counters</c>), so every gateway instance behind a load balancer sees the same.</summary>
/// <remarks>Runtime-added keys are stored in clear text in Redis (the gateway must send them): protect the Redis server as you would the keys.</remarks>
internal sealed class RedisGatewayStore(IConnectionMultiplexer redis, string prefix) : IGatewayStore, IDisposable
{
    private readonly RedisKey _keys = prefix + "keys";
    private readonly RedisKey _health = prefix + "health";
    private readonly RedisKey _counters = prefix + "counters";

    public string Kind => "redis";

    /// <summary>Connects, failing at once with the server's answer when Redis cannot be reached (the gateway then refuses to start).</summary>
    public static async Task<RedisGatewayStore> ConnectAsync(string configuration, string prefix)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        return new RedisGatewayStore(connection, prefix);
    }

    public async Task<IReadOnlyList<StoredKey>> GetKeysAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(_keys);
        return [.. entries.Select(e => JsonSerializer.Deserialize<StoredKey>(e.Value.ToString(), GatewayJson.Serializer)!).OrderBy(k => k.Added)];
    }

    public Task AddKeyAsync(StoredKey key, CancellationToken cancellationToken)
        => redis.GetDatabase().HashSetAsync(_keys, key.Id, JsonSerializer.Serialize(key, GatewayJson.Serializer));

    public async Task<bool> RemoveKeyAsync(string id, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var removed = await database.HashDeleteAsync(_keys, id);
        await database.HashDeleteAsync(_health, id);
        return removed;
    }

    public async Task<IReadOnlyDictionary<string, KeyHealth>> GetHealthAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(_health);
        return entries.ToDictionary(e => e.Name.ToString(), e => JsonSerializer.Deserialize<KeyHealth>(e.Value.ToString(), GatewayJson.Serializer)!, StringComparer.Ordinal);
    }

    public Task SetHealthAsync(string id, KeyHealth health, CancellationToken cancellationToken)
        => redis.GetDatabase().HashSetAsync(_health, id, JsonSerializer.Serialize(health, GatewayJson.Serializer));

    public async Task IncrementAsync(IReadOnlyList<KeyValuePair<string, long>> counters, CancellationToken cancellationToken)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var increments = counters.Select(c => batch.HashIncrementAsync(_counters, c.Key, c.Value)).ToList();
        batch.Execute();
        await Task.WhenAll(increments);
    }

    public async Task<IReadOnlyDictionary<string, long>> GetCountersAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(_counters);
        return entries.ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal);
    }

    public void Dispose() => redis.Dispose();
}
