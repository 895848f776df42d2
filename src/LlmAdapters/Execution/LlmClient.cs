using System.Runtime.CompilerServices;
using LlmAdapters.Compilation;
using LlmAdapters.Streaming;

namespace LlmAdapters.Execution;

/// <summary>The <see cref="ILlmClient"/> of one adapter and one profile.</summary>
internal sealed class LlmClient : ILlmClient
{
    private readonly AdapterPlan _adapter;
    private readonly PlanRunner _runner;

    public LlmClient(AdapterPlan adapter, PlanRunner runner)
    {
        _adapter = adapter;
        _runner = runner;
    }

    /// <summary>The adapter's name (the provider, for IChatClient metadata and telemetry).</summary>
    public string AdapterName => _adapter.Name;

    /// <summary>The profile this client runs with.</summary>
    public ClientSettings Settings => _runner.Settings;

    /// <summary>The apitype of a call, or null when the adapter has no such call.</summary>
    public LlmApiType? ApiTypeOf(string call) => _adapter.Calls.TryGetValue(call, out var plan) ? plan.ApiType : null;

    public Task<LlmResponse> CallAsync(LlmRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = Resolve(request);
        return call.ApiType switch
        {
            LlmApiType.Sync => _runner.CallSyncAsync(call, request, cancellationToken),
            LlmApiType.Stream => _runner.CallStreamAsync(call, request, cancellationToken),
            _ => _runner.CallPollAsync(call, request, cancellationToken),
        };
    }

    public async IAsyncEnumerable<string> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = Resolve(request);
        if (call.ApiType == LlmApiType.Stream)
        {
            // The hot path: strings straight from the engine, no update objects; only the tail of the text is kept for errors.
            using var received = new TextBuffer(TextBuffer.StreamingTailLimit);
            await foreach (var session in _runner.RunStreamAsync(call, request, received, null, cancellationToken).ConfigureAwait(false))
            {
                if (session.CurrentText is { Length: > 0 } text)
                {
                    yield return text;
                }
            }

            yield break;
        }

        var response = call.ApiType == LlmApiType.Async
            ? await _runner.CallPollAsync(call, request, cancellationToken).ConfigureAwait(false)
            : await _runner.CallSyncAsync(call, request, cancellationToken).ConfigureAwait(false);
        yield return response.Text;
    }

    public async IAsyncEnumerable<LlmStreamUpdate> StreamUpdatesAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = Resolve(request);
        if (call.ApiType == LlmApiType.Stream)
        {
            using var received = new TextBuffer(TextBuffer.StreamingTailLimit);
            await foreach (var session in _runner.RunStreamAsync(call, request, received, null, cancellationToken).ConfigureAwait(false))
            {
                var fields = call.Stream!.Format == StreamFormat.Raw ? [] : session.Decoder.CurrentFields(session.CurrentPayload);
                yield return new LlmStreamUpdate(session.CurrentText ?? string.Empty, fields, session.Decoder.EventType);
            }

            yield break;
        }

        if (call.ApiType == LlmApiType.Async)
        {
            await foreach (var step in _runner.RunPollAsync(call, request, cancellationToken).ConfigureAwait(false))
            {
                yield return new LlmStreamUpdate(step.Result?.Text ?? string.Empty, step.Fields, status: step.Status);
            }

            yield break;
        }

        var response = await _runner.CallSyncAsync(call, request, cancellationToken).ConfigureAwait(false);
        yield return new LlmStreamUpdate(response.Text, response.Fields);
    }

    private CallPlan Resolve(LlmRequest request)
    {
        if (!_adapter.Calls.TryGetValue(request.Call, out var call))
        {
            throw new LlmRequestException(
                $"Adapter '{_adapter.Name}' ({_adapter.Location.File}) has no call '{request.Call}'{Internal.DidYouMean.Hint(request.Call, _adapter.Calls.Keys)}. Its calls: {string.Join(", ", _adapter.Calls.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (StandardVariables.AllImages(request).Count > 0 && !call.Inputs.HasFlag(InputKinds.Image))
        {
            throw Unsupported(call, "images", InputKinds.Image, "image");
        }

        if (request.Videos.Count > 0 && !call.Inputs.HasFlag(InputKinds.Video))
        {
            throw Unsupported(call, "videos", InputKinds.Video, "video");
        }

        return call;
    }

    private LlmRequestException Unsupported(CallPlan call, string what, InputKinds kind, string item)
    {
        var others = _adapter.Calls.Values.Where(c => c.Inputs.HasFlag(kind)).Select(c => $"'{c.Name}'").ToArray();
        var hint = others.Length > 0
            ? $" Calls of adapter '{_adapter.Name}' that accept {what}: {string.Join(", ", others)}."
            : $" No call of adapter '{_adapter.Name}' accepts {what}.";
        return new LlmRequestException($"The request has {what}, but {call.DisplayName} does not accept them (its input_items lack \"{item}\"); nothing was sent.{hint}");
    }
}
