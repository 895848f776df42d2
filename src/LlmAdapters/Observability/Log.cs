using Microsoft.Extensions.Logging;

namespace LlmAdapters.Observability;

/// <summary>LlmAdapters' log messages. They carry adapter, call, profile, status and durations; never secrets, prompts or answers.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Calling {Adapter}.{Call} for profile {Profile} ({ApiType})")]
    public static partial void CallStarting(ILogger logger, string adapter, string call, string profile, string apiType);

    [LoggerMessage(2, LogLevel.Information, "{Adapter}.{Call} for profile {Profile} answered {StatusCode} in {DurationMs:0.0} ms ({InputTokens} input, {OutputTokens} output tokens)")]
    public static partial void CallCompleted(ILogger logger, string adapter, string call, string profile, int statusCode, double durationMs, long? inputTokens, long? outputTokens);

    [LoggerMessage(3, LogLevel.Warning, "{Adapter}.{Call} for profile {Profile} failed after {DurationMs:0.0} ms: {ErrorType}: {Message}")]
    public static partial void CallFailed(ILogger logger, string adapter, string call, string profile, double durationMs, string errorType, string message);

    [LoggerMessage(4, LogLevel.Debug, "{Adapter}.{Call} for profile {Profile}: task {QueryId} is {Status}")]
    public static partial void PollStatus(ILogger logger, string adapter, string call, string profile, string? queryId, string status);

    [LoggerMessage(5, LogLevel.Information, "{Adapter}.{Call} for profile {Profile}: attempt {Attempt} failed ({Reason}); retrying in {DelayMs:0} ms")]
    public static partial void Retrying(ILogger logger, string adapter, string call, string profile, int attempt, string reason, double delayMs);

    [LoggerMessage(6, LogLevel.Warning, "Profile {Profile}: key {KeyFingerprint} {Change}")]
    public static partial void KeyHealth(ILogger logger, string profile, string keyFingerprint, string change);

    [LoggerMessage(8, LogLevel.Warning, "A definition file was left out because it is invalid: {Problem}")]
    public static partial void DefinitionSkipped(ILogger logger, string problem);

    [LoggerMessage(7, LogLevel.Information, "{Adapter}.{Call}: profile {Profile} failed ({Reason}); falling back to profile {Fallback}")]
    public static partial void FallingBack(ILogger logger, string adapter, string call, string profile, string reason, string fallback);

    [LoggerMessage(9, LogLevel.Information, "{Adapter}.{Call} for profile {Profile}: the vendor refused the token ({Reason}); getting a new one and trying once more")]
    public static partial void TokenRefused(ILogger logger, string adapter, string call, string profile, string reason);
}
