namespace Gateway;

/// <summary>What is known about an upstream key: usable, rejected by the upstream (out of rotation), or resting after a 429 until a time.</summary>
internal sealed record KeyHealth(KeyState State, DateTimeOffset? RestUntil, string? Reason, DateTimeOffset At)
{
    public static readonly KeyHealth Unknown = new(KeyState.Healthy, null, null, DateTimeOffset.MinValue);

    /// <summary>The state at <paramref name="now"/>: a rest that is over reads as healthy.</summary>
    public KeyState StateAt(DateTimeOffset now) => State == KeyState.Resting && RestUntil <= now ? KeyState.Healthy : State;
}

/// <summary>The state of an upstream key.</summary>
internal enum KeyState
{
    Healthy,
    Resting,
    Rejected,
}

/// <summary>The words the status page and <c>/keys</c> use for a <see cref="KeyState"/>.</summary>
internal static class KeyStates
{
    public static string Name(KeyState state) => state switch
    {
        KeyState.Healthy => "healthy",
        KeyState.Resting => "resting",
        KeyState.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown key state"),
    };
}
