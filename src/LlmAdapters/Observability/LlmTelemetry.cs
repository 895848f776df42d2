using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmAdapters.Observability;

/// <summary>The <see cref="Meter"/> and <see cref="ActivitySource"/> named <c>LlmAdapters</c>, with the OpenTelemetry GenAI instruments.</summary>
/// <remarks>One per DI container (its meter from IMeterFactory) or one shared by clients created without DI.</remarks>
internal sealed class LlmTelemetry : IDisposable
{
    public const string Name = "LlmAdapters";

    public const string ProfileTag = "llm_adapters.profile";
    public const string CallTag = "llm_adapters.call";

    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private readonly bool _ownsMeter;

    public LlmTelemetry(IMeterFactory? meterFactory)
    {
        Meter = meterFactory?.Create(new MeterOptions(Name)) ?? new Meter(Name);
        _ownsMeter = meterFactory is null;
        ActivitySource = new ActivitySource(Name);
        OperationDuration = Meter.CreateHistogram("gen_ai.client.operation.duration", "s", "GenAI operation duration.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        TokenUsage = Meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Measures number of input and output tokens used.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        KeyRequests = Meter.CreateCounter<long>("llm_adapters.key.requests", "{request}", "Requests sent with each rotated API key.");
        TimeToFirstChunk = Meter.CreateHistogram("gen_ai.client.operation.time_to_first_chunk", "s", "Time to receive the first chunk of a streamed response.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>Telemetry for a DI container, with its <see cref="LlmUsageMonitor"/> listening from the start: every call of the container's clients is counted, however late the monitor is first resolved.</summary>
    public static LlmTelemetry WithUsageMonitor(IMeterFactory? meterFactory, TimeProvider time)
    {
        var telemetry = new LlmTelemetry(meterFactory);
        telemetry.UsageMonitor = new LlmUsageMonitor(telemetry, time);
        return telemetry;
    }

    /// <summary>The container's usage monitor (see <see cref="WithUsageMonitor"/>); null for telemetry made without one. Disposed by the container that registered it.</summary>
    public LlmUsageMonitor? UsageMonitor { get; private set; }

    /// <summary>Shared by clients created without dependency injection.</summary>
    public static LlmTelemetry Default { get; } = new(null);

    public Meter Meter { get; }

    public ActivitySource ActivitySource { get; }

    public Histogram<double> OperationDuration { get; }

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> TimeToFirstChunk { get; }

    /// <summary>Requests per rotated API key (by fingerprint, never the key), for key health on status pages.</summary>
    public Counter<long> KeyRequests { get; }

    public const string KeyTag = "llm_adapters.key";

    public const string OutcomeTag = "llm_adapters.outcome";

    /// <summary>Counts one request with a rotated key; <paramref name="outcome"/> is ok, rejected (401/403), rate_limited (429) or error.</summary>
    public void RecordKeyUse(string profile, string fingerprint, string outcome)
        => KeyRequests.Add(1, new KeyValuePair<string, object?>(ProfileTag, profile), new KeyValuePair<string, object?>(KeyTag, fingerprint), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void Dispose()
    {
        ActivitySource.Dispose();
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
