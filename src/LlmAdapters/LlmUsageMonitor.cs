using System.Diagnostics.Metrics;
using LlmAdapters.Observability;

namespace LlmAdapters;

/// <summary>Live usage per profile (requests, errors, tokens, latency percentiles) for a status page, read from LlmAdapters' own metrics.</summary>
/// <remarks>
/// It listens to the <c>LlmAdapters</c> meter (gen_ai.client.operation.duration, gen_ai.client.token.usage,
/// gen_ai.client.operation.time_to_first_chunk) with a <see cref="MeterListener"/>, so it counts exactly what
/// OpenTelemetry exporters see. In DI it is a singleton (<c>AddLlmAdapters</c> registers it) that starts listening with the
/// container's telemetry, before any client exists: it counts every call of the container's clients, even those made
/// before it is first resolved. Without DI, create one and dispose it when done; it counts calls from then on. Thread-safe. Percentiles are over the most recent 2,048 calls of each profile.
/// </remarks>
public sealed class LlmUsageMonitor : IDisposable
{
    private const int Window = 2048;

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, ProfileStats> _profiles = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _since;

    /// <summary>Watches clients created without dependency injection (they share one meter).</summary>
    public LlmUsageMonitor()
        : this(LlmTelemetry.Default, TimeProvider.System)
    {
    }

    internal LlmUsageMonitor(LlmTelemetry telemetry, TimeProvider time)
    {
        _time = time;
        _since = time.GetUtcNow();
        var meter = telemetry.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => OnMeasurement(instrument, value, tags, state));
        // Key health comes from the same meter: llm_adapters.key.requests, tagged with the key's fingerprint and the outcome.
        _listener.Start();
    }

    /// <summary>A copy of the usage so far.</summary>
    public LlmUsageSnapshot Snapshot()
    {
        List<LlmProfileUsage> profiles;
        lock (_profiles)
        {
            profiles = [.. _profiles.Values.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Select(p => p.ToUsage())];
        }

        return new LlmUsageSnapshot(_since, _time.GetUtcNow(), profiles);
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? profile = null;
        string? errorType = null;
        string? tokenType = null;
        string? key = null;
        string? outcome = null;
        foreach (var (tagName, tagValue) in tags)
        {
            switch (tagName)
            {
                case LlmTelemetry.ProfileTag: profile = tagValue as string; break;
                case "error.type": errorType = tagValue as string; break;
                case "gen_ai.token.type": tokenType = tagValue as string; break;
                case LlmTelemetry.KeyTag: key = tagValue as string; break;
                case LlmTelemetry.OutcomeTag: outcome = tagValue as string; break;
            }
        }

        if (profile is null)
        {
            return;
        }

        ProfileStats stats;
        lock (_profiles)
        {
            if (!_profiles.TryGetValue(profile, out stats!))
            {
                stats = _profiles[profile] = new ProfileStats(profile);
            }
        }

        if (key is not null)
        {
            stats.RecordKey(key, outcome ?? "ok");
            return;
        }

        stats.Record(instrument.Name, value, errorType, tokenType);
    }

    private sealed class ProfileStats(string name)
    {
        private readonly double[] _durations = new double[Window];
        private readonly double[] _firstChunks = new double[Window];
        private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Requests, long Failures, string State)> _keys = new(StringComparer.Ordinal);
        private long _requests;
        private long _inputTokens;
        private long _outputTokens;
        private int _durationCount;
        private int _firstChunkCount;

        public string Name { get; } = name;

        public void Record(string instrument, double value, string? errorType, string? tokenType)
        {
            lock (this)
            {
                switch (instrument)
                {
                    case "gen_ai.client.operation.duration":
                        _requests++;
                        _durations[_durationCount++ % Window] = value;
                        if (errorType is not null)
                        {
                            _errors[errorType] = _errors.GetValueOrDefault(errorType) + 1;
                        }

                        break;
                    case "gen_ai.client.token.usage" when tokenType == "input":
                        _inputTokens += (long)value;
                        break;
                    case "gen_ai.client.token.usage" when tokenType == "output":
                        _outputTokens += (long)value;
                        break;
                    case "gen_ai.client.operation.time_to_first_chunk":
                        _firstChunks[_firstChunkCount++ % Window] = value;
                        break;
                }
            }
        }

        public void RecordKey(string fingerprint, string outcome)
        {
            lock (this)
            {
                var (requests, failures, _) = _keys.GetValueOrDefault(fingerprint);
                _keys[fingerprint] = (requests + 1, failures + (outcome == "ok" ? 0 : 1), outcome == "ok" ? "healthy" : outcome);
            }
        }

        public LlmProfileUsage ToUsage()
        {
            lock (this)
            {
                var durations = Sorted(_durations, _durationCount);
                var firstChunks = Sorted(_firstChunks, _firstChunkCount);
                return new LlmProfileUsage(
                    Name,
                    _requests,
                    _errors.Values.Sum(),
                    new Dictionary<string, long>(_errors, StringComparer.Ordinal),
                    _inputTokens,
                    _outputTokens,
                    Percentile(durations, 0.50),
                    Percentile(durations, 0.90),
                    Percentile(durations, 0.99),
                    Percentile(firstChunks, 0.50),
                    [.. _keys.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => new LlmKeyUsage(k.Key, k.Value.Requests, k.Value.Failures, k.Value.State))]);
            }
        }

        private static double[] Sorted(double[] ring, int count)
        {
            var values = ring.AsSpan(0, Math.Min(count, Window)).ToArray();
            Array.Sort(values);
            return values;
        }

        /// <summary>Nearest-rank percentile.</summary>
        private static TimeSpan? Percentile(double[] sorted, double p)
            => sorted.Length == 0 ? null : TimeSpan.FromSeconds(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);
    }
}
