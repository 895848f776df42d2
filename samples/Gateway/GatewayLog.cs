namespace Gateway;

/// <summary>The gateway's log messages (source-generated; never a key, only key ids).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(1, LogLevel.Warning, "Upstream key {KeyId} of profile {Profile} was rejected and leaves the rotation: {Reason}")]
    public static partial void KeyRejected(ILogger logger, string keyId, string profile, string reason);

    [LoggerMessage(2, LogLevel.Information, "Upstream key {KeyId} of profile {Profile} is rate limited and rests for {Seconds} s")]
    public static partial void KeyResting(ILogger logger, string keyId, string profile, double seconds);

    [LoggerMessage(3, LogLevel.Warning, "The periodic check of upstream key {KeyId} ({Profile}) could not tell: {Reason}")]
    public static partial void KeyCheckInconclusive(ILogger logger, string keyId, string profile, string? reason);

    [LoggerMessage(4, LogLevel.Error, "The periodic check of the upstream keys failed")]
    public static partial void KeyChecksFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "The gateway's counters could not be written to its store ({Kind})")]
    public static partial void CountersFailed(ILogger logger, Exception exception, string kind);

    [LoggerMessage(6, LogLevel.Warning, "Web search failed: {Reason}")]
    public static partial void WebSearchFailed(ILogger logger, string reason);
}
