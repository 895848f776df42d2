namespace LlmAdapters.Auth;

/// <summary>A token from a token call, and when it stops being used (its lifetime less a margin); never shown by <see cref="ToString"/>.</summary>
/// <param name="Value">The token: a secret.</param>
/// <param name="UseUntil">When it is no longer used; null when the answer gave no lifetime (then it is used until a call refuses it).</param>
internal sealed record AccessToken(string Value, DateTimeOffset? UseUntil)
{
    /// <summary>The margin taken off a token's lifetime: a tenth of it, at most five minutes, so that a token is not sent just as it expires.</summary>
    public static TimeSpan Margin(TimeSpan lifetime) => TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 10, TimeSpan.FromMinutes(5).Ticks));

    /// <summary>A token obtained at <paramref name="now"/> that lives <paramref name="lifetime"/> (null: unknown).</summary>
    public static AccessToken Create(string value, DateTimeOffset now, TimeSpan? lifetime)
        => new(value, lifetime is { } l ? now + l - Margin(l) : null);

    public bool IsUsableAt(DateTimeOffset now) => UseUntil is not { } until || now < until;

    /// <summary>Masked: the token is a secret.</summary>
    public override string ToString() => UseUntil is { } until ? $"access token *** (used until {until:O})" : "access token ***";
}
