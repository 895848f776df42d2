namespace LlmAdapters;

/// <summary>A point-in-time copy of the usage an <see cref="LlmUsageMonitor"/> has seen, per profile.</summary>
/// <param name="Since">When the monitor started.</param>
/// <param name="At">When the snapshot was taken.</param>
/// <param name="Profiles">One entry per profile that has made calls, by name.</param>
public sealed record LlmUsageSnapshot(DateTimeOffset Since, DateTimeOffset At, IReadOnlyList<LlmProfileUsage> Profiles);
