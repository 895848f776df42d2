using System.Collections.Concurrent;
using System.Text.Json;

namespace Gateway;

/// <summary>The default store: health and counters in this process; runtime-added keys in <c>keys.json</c> under the data directory, so they survive a restart.</summary>
/// <remarks>The file holds upstream keys in clear text (the gateway must send them): it is created readable by its owner only (mode 600 on Unix).</remarks>
internal sealed class MemoryGatewayStore : IGatewayStore, IDisposable
{
    private readonly string _file;
    private readonly SemaphoreSlim _fileLock = new(1, 1);
    private readonly ConcurrentDictionary<string, KeyHealth> _health = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private List<StoredKey> _keys;

    public MemoryGatewayStore(string dataDirectory)
    {
        _file = Path.Combine(dataDirectory, "keys.json");
        _keys = File.Exists(_file) ? JsonSerializer.Deserialize<List<StoredKey>>(File.ReadAllText(_file), GatewayJson.Serializer) ?? [] : [];
    }

    public string Kind => "this process (keys in " + Path.GetFileName(_file) + ")";

    public Task<IReadOnlyList<StoredKey>> GetKeysAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredKey>>(Volatile.Read(ref _keys));

    public async Task AddKeyAsync(StoredKey key, CancellationToken cancellationToken)
    {
        await _fileLock.WaitAsync(cancellationToken);
        try
        {
            var keys = _keys.Where(k => k.Id != key.Id).Append(key).ToList();
            await SaveAsync(keys, cancellationToken);
            Volatile.Write(ref _keys, keys);
        }
        finally
        {
            _fileLock.Release();
        }
    }

    public async Task<bool> RemoveKeyAsync(string id, CancellationToken cancellationToken)
    {
        await _fileLock.WaitAsync(cancellationToken);
        try
        {
            var keys = _keys.Where(k => k.Id != id).ToList();
            if (keys.Count == _keys.Count)
            {
                return false;
            }

            await SaveAsync(keys, cancellationToken);
            Volatile.Write(ref _keys, keys);
            _health.TryRemove(id, out _);
            return true;
        }
        finally
        {
            _fileLock.Release();
        }
    }

    public Task<IReadOnlyDictionary<string, KeyHealth>> GetHealthAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyDictionary<string, KeyHealth>>(new Dictionary<string, KeyHealth>(_health, StringComparer.Ordinal));

    public Task SetHealthAsync(string id, KeyHealth health, CancellationToken cancellationToken)
    {
        _health[id] = health;
        return Task.CompletedTask;
    }

    public Task IncrementAsync(IReadOnlyList<KeyValuePair<string, long>> counters, CancellationToken cancellationToken)
    {
        foreach (var (name, by) in counters)
        {
            _counters.AddOrUpdate(name, by, (_, value) => value + by);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, long>> GetCountersAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_counters, StringComparer.Ordinal));

    public void Dispose() => _fileLock.Dispose();

    /// <summary>Writes the whole list to a temporary file and moves it over the old one, so a crash never leaves half a file.</summary>
    private async Task SaveAsync(List<StoredKey> keys, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temporary = _file + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(stream, keys, GatewayJson.Serializer, cancellationToken);
        }

        File.Move(temporary, _file, overwrite: true);
    }
}
