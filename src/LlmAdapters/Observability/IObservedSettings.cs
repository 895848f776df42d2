using LlmAdapters.Internal;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Observability;

/// <summary>What <see cref="CallObservation"/> reads from a client's settings: where to log, count and trace, and what to tag.</summary>
/// <remarks>An interface so that Observability does not depend on Execution (which implements it in <c>ClientSettings</c>).</remarks>
internal interface IObservedSettings
{
    string ProfileName { get; }

    string? ProfileModel { get; }

    LlmTelemetry Telemetry { get; }

    ILogger Logger { get; }

    string? ServerAddress { get; }

    int ServerPort { get; }

    object? BoxedServerPort { get; }

    SecretRedactor Redactor { get; }

    TimeProvider TimeProvider { get; }
}
