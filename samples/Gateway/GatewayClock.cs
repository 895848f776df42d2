namespace Gateway;

/// <summary>The clock of the gateway's own timing (periodic key checks, key rests); tests register one over a fake <see cref="TimeProvider"/>.</summary>
internal sealed record GatewayClock(TimeProvider Time)
{
    public DateTimeOffset Now => Time.GetUtcNow();
}
