using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Observability;

/// <summary>Times, logs, counts and traces one call, following the OpenTelemetry GenAI semantic conventions.</summary>
/// <remarks>Created at the start of a call; exactly one of <see cref="Complete"/> or <see cref="Fail"/> ends it.</remarks>
internal sealed class CallObservation
{
    private readonly IObservedSettings _settings;
    private readonly string _adapter;
    private readonly string _call;
    private readonly string _operation;
    private readonly string? _requestModel;
    private readonly long _started;
    private readonly Activity? _activity;
    private bool _firstChunkSeen;
    private bool _ended;

    public CallObservation(IObservedSettings settings, string adapter, string call, LlmApiType apiType, LlmRequest request)
    {
        _settings = settings;
        _adapter = adapter;
        _call = call;
        _operation = call.StartsWith("chat", StringComparison.Ordinal) ? "chat" : call;
        _requestModel = request.Model ?? settings.ProfileModel;
        _started = settings.TimeProvider.GetTimestamp();
        Log.CallStarting(settings.Logger, adapter, call, settings.ProfileName, ApiTypeName(apiType));

        var telemetry = settings.Telemetry;
        _activity = telemetry.ActivitySource.HasListeners()
            ? telemetry.ActivitySource.StartActivity(_requestModel is null ? _operation : $"{_operation} {_requestModel}", ActivityKind.Client)
            : null;
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.operation.name", _operation);
            activity.SetTag("gen_ai.provider.name", adapter);
            activity.SetTag("gen_ai.request.model", _requestModel);
            activity.SetTag("gen_ai.request.max_tokens", request.MaxTokens);
            activity.SetTag("gen_ai.request.temperature", request.Temperature);
            activity.SetTag("server.address", settings.ServerAddress);
            activity.SetTag("server.port", settings.ServerPort);
            activity.SetTag(LlmTelemetry.ProfileTag, settings.ProfileName);
            activity.SetTag(LlmTelemetry.CallTag, call);
        }
    }

    /// <summary>Whether the result (usage, model, finish reason) is recorded anywhere: a metric, a span or the completion log.</summary>
    public bool WantsResult
        => _activity is not null
            || _settings.Telemetry.OperationDuration.Enabled
            || _settings.Telemetry.TokenUsage.Enabled
            || _settings.Logger.IsEnabled(LogLevel.Information);

    private TimeSpan Elapsed => _settings.TimeProvider.GetElapsedTime(_started);

    /// <summary>Records the time to the first streamed chunk (once).</summary>
    public void FirstChunk()
    {
        if (_firstChunkSeen)
        {
            return;
        }

        _firstChunkSeen = true;
        var histogram = _settings.Telemetry.TimeToFirstChunk;
        if (histogram.Enabled)
        {
            histogram.Record(Elapsed.TotalSeconds, Tags(null, null));
        }
    }

    public void Complete(int statusCode, LlmUsage? usage, string? responseModel, string? finishReason)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var elapsed = Elapsed;
        var telemetry = _settings.Telemetry;
        // Tags are built only for instruments someone listens to: a call nobody observes pays for none of them.
        if (telemetry.OperationDuration.Enabled || telemetry.TokenUsage.Enabled)
        {
            var tags = Tags(responseModel, null);
            telemetry.OperationDuration.Record(elapsed.TotalSeconds, tags);
            if (usage?.InputTokens is { } input)
            {
                var t = tags;
                t.Add("gen_ai.token.type", "input");
                telemetry.TokenUsage.Record(input, t);
            }

            if (usage?.OutputTokens is { } output)
            {
                var t = tags;
                t.Add("gen_ai.token.type", "output");
                telemetry.TokenUsage.Record(output, t);
            }
        }

        if (_activity is { } activity)
        {
            activity.SetTag("gen_ai.response.model", responseModel);
            if (finishReason is not null)
            {
                activity.SetTag("gen_ai.response.finish_reasons", new[] { finishReason });
            }

            activity.SetTag("gen_ai.usage.input_tokens", usage?.InputTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage?.OutputTokens);
            activity.Dispose();
        }

        Log.CallCompleted(_settings.Logger, _adapter, _call, _settings.ProfileName, statusCode, elapsed.TotalMilliseconds, usage?.InputTokens, usage?.OutputTokens);
    }

    public void Fail(Exception exception)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var elapsed = Elapsed;
        var errorType = ErrorType(exception);
        if (_settings.Telemetry.OperationDuration.Enabled)
        {
            _settings.Telemetry.OperationDuration.Record(elapsed.TotalSeconds, Tags(null, errorType));
        }

        if (_activity is { } activity)
        {
            activity.SetTag("error.type", errorType);
            activity.SetStatus(ActivityStatusCode.Error, exception is LlmException ? exception.Message : exception.GetType().Name);
            activity.Dispose();
        }

        // Library messages are redacted already; anything else is named by type only.
        var message = exception is LlmException ? exception.Message : exception.GetType().Name;
        Log.CallFailed(_settings.Logger, _adapter, _call, _settings.ProfileName, elapsed.TotalMilliseconds, errorType, _settings.Redactor.Redact(message));
    }

    private static string ApiTypeName(LlmApiType apiType) => apiType switch
    {
        LlmApiType.Sync => "sync",
        LlmApiType.Stream => "stream",
        _ => "async",
    };

    /// <summary>An HTTP status for vendor errors (semconv), else the exception's type.</summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        LlmHttpException { StatusCode: > 0 } http => http.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OperationCanceledException => "canceled",
        _ => exception.GetType().Name,
    };

    private TagList Tags(string? responseModel, string? errorType)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", _operation },
            { "gen_ai.provider.name", _adapter },
            { LlmTelemetry.ProfileTag, _settings.ProfileName },
            { LlmTelemetry.CallTag, _call },
        };
        if (_requestModel is not null)
        {
            tags.Add("gen_ai.request.model", _requestModel);
        }

        if (responseModel is not null)
        {
            tags.Add("gen_ai.response.model", responseModel);
        }

        if (_settings.ServerAddress is not null)
        {
            tags.Add("server.address", _settings.ServerAddress);
            tags.Add("server.port", _settings.BoxedServerPort);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        return tags;
    }
}
