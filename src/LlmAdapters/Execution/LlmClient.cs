using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Mapping;
using LlmAdapters.Observability;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

/// <summary>The <see cref="ILlmClient"/> of one adapter and one profile.</summary>
internal sealed class LlmClient : ILlmClient, ILlmClientCapabilities
{
    private readonly AdapterPlan _adapter;
    private readonly PlanRunner _runner;

    public LlmClient(AdapterPlan adapter, PlanRunner runner)
    {
        _adapter = adapter;
        _runner = runner;
    }

    /// <inheritdoc/>
    public string ProviderName => _adapter.Name;

    /// <inheritdoc/>
    public Uri? BaseUri => _runner.Settings.BaseUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        ? new Uri(uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped))
        : null;

    /// <inheritdoc/>
    public string? DefaultModel
        => _runner.Settings.ProfileVariables.TryGetValue("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null;

    /// <summary>The profile this client runs with.</summary>
    public ClientSettings Settings => _runner.Settings;

    /// <summary>What runs this client's calls.</summary>
    internal PlanRunner Runner => _runner;

    /// <inheritdoc/>
    public LlmApiType? ApiTypeOf(string call) => _adapter.Calls.TryGetValue(call, out var plan) ? plan.ApiType : null;

    public bool? Reads(string call, string variable) => _adapter.Calls.TryGetValue(call, out var plan) ? plan.VariableNames.Contains(variable, StringComparer.Ordinal) : null;

    public async Task<LlmResponse> CallAsync(LlmRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = Resolve(request);
        var observation = new CallObservation(_runner.Settings, _adapter.Name, call.Name, call.ApiType, request);
        try
        {
            var response = await (call.ApiType switch
            {
                LlmApiType.Sync when call.Embeddings is not null => _runner.CallEmbeddingsAsync(call, request, cancellationToken),
                LlmApiType.Sync => _runner.CallSyncAsync(call, request, cancellationToken),
                LlmApiType.Stream => _runner.CallStreamAsync(call, request, cancellationToken),
                _ => _runner.CallPollAsync(call, request, cancellationToken),
            }).ConfigureAwait(false);
            // The usage, model and finish reason are read only for whoever records them: reading them makes the
            // response's items into JSON elements, which a caller that wants the text alone never pays for.
            if (observation.WantsResult)
            {
                observation.Complete(response.StatusCode, response.Usage, response.GetString("model"), response.FinishReason);
            }
            else
            {
                observation.Complete(response.StatusCode, null, null, null);
            }

            return new LlmResponse(response, _runner.Settings.ProfileName);
        }
        catch (Exception e)
        {
            observation.Fail(e);
            throw;
        }
    }

    // The hot path: strings straight from the engine, no update objects, and no iterator of its own (ObservedStream
    // yields a buffered chunk synchronously; an iterator layer would cost every chunk a resumption).
    public IAsyncEnumerable<string> StreamAsync(LlmRequest request, CancellationToken cancellationToken = default)
        => new ObservedStream<string>(this, request, textOnly: true, static stream => stream.CurrentText is { Length: > 0 } text ? text : null, static response => response.Text, cancellationToken);

    // The same loop: no iterator of its own over the stream's.
    public IAsyncEnumerable<LlmStreamUpdate> StreamUpdatesAsync(LlmRequest request, CancellationToken cancellationToken = default)
        => new ObservedStream<LlmStreamUpdate>(this, request, textOnly: false, static stream => Update(stream), static response => new LlmStreamUpdate(response.Text, response.Fields), cancellationToken, PollUpdatesCore, LastUpdate);

    /// <summary>
    /// <see cref="StreamUpdatesAsync"/> with each update turned by <paramref name="map"/> in the stream's own loop: a
    /// bridge (the <c>IChatClient</c>) then adds no iterator of its own, and so no hop per chunk. The poll steps of an
    /// async call, which are few, go through one more iterator.
    /// </summary>
    internal IAsyncEnumerable<T> StreamUpdatesAsync<T>(LlmRequest request, Func<LlmStreamUpdate, T> map, CancellationToken cancellationToken)
        where T : class
        => new ObservedStream<T>(
            this,
            request,
            textOnly: false,
            stream => map(Update(stream)),
            response => map(new LlmStreamUpdate(response.Text, response.Fields)),
            cancellationToken,
            (call, r, token) => MapAsync(PollUpdatesCore(call, r, token), map, token),
            stream => LastUpdate(stream) is { } last ? map(last) : null);

    private static async IAsyncEnumerable<T> MapAsync<T>(IAsyncEnumerable<LlmStreamUpdate> updates, Func<LlmStreamUpdate, T> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return map(update);
        }
    }

    private static LlmStreamUpdate Update(StreamCall stream)
        => stream.CurrentSnapshot(out var patch) is { } snapshot
            ? new LlmStreamUpdate(stream.CurrentText ?? string.Empty, snapshot, patch)
            : new LlmStreamUpdate(stream.CurrentText ?? string.Empty, EmptyFields, stream.CurrentEventType);

    private static readonly Dictionary<string, JsonElement> EmptyFields = [];

    /// <summary>After a stream's last chunk: one more update with the tool calls its pieces built, whole; null when it has none.</summary>
    private static LlmStreamUpdate? LastUpdate(StreamCall stream)
        => stream.FinalFields is { } fields && fields.TryGetValue(ToolCalls.FieldName, out var calls) && calls.ValueKind == JsonValueKind.Array
            ? new LlmStreamUpdate(string.Empty, new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [ToolCalls.FieldName] = calls })
            : null;

    private async IAsyncEnumerable<LlmStreamUpdate> PollUpdatesCore(CallPlan call, LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var observation = new CallObservation(_runner.Settings, _adapter.Name, call.Name, call.ApiType, request);
        var steps = _runner.RunPollAsync(call, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        LlmResponse? result = null;
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await steps.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    observation.Fail(e);
                    throw;
                }

                if (!more)
                {
                    break;
                }

                var step = steps.Current;
                result = step.Result ?? result;
                yield return new LlmStreamUpdate(step.Result?.Text ?? string.Empty, step.Fields, status: step.Status);
            }
        }
        finally
        {
            await steps.DisposeAsync().ConfigureAwait(false);
            observation.Complete(result?.StatusCode ?? 0, result?.Usage, result?.GetString("model"), result?.FinishReason);
        }
    }

    /// <summary>
    /// JSON the caller gives (a variable, a tool's parameters, a response format's schema) that is not text (an escaped
    /// half of a surrogate pair: valid JSON from which no body can be written) is a request error naming it, before
    /// anything is sent; writing it threw the reader's InvalidOperationException out of the call.
    /// </summary>
    private static void CheckJsonIsText(LlmRequest request, CallPlan call)
    {
        foreach (var (name, value) in request.Variables)
        {
            if (value is System.Text.Json.JsonElement element && !Internal.JsonValues.IsText(element))
            {
                throw NotText($"variable '{name}'", call);
            }
        }

        foreach (var tool in request.Tools)
        {
            if (!Internal.JsonValues.IsText(tool.Parameters))
            {
                throw NotText($"tool '{tool.Name}' (its parameters)", call);
            }
        }

        if (request.ResponseFormat?.Schema is { } schema && !Internal.JsonValues.IsText(schema))
        {
            throw NotText("response format's schema", call);
        }

        static LlmRequestException NotText(string what, CallPlan call)
            => new($"The request's {what} holds a string that is not text (invalid UTF-8, or half a surrogate pair), so it cannot be sent to call '{call.Name}'.");
    }

    /// <summary>The call <paramref name="request"/> names, checked against what the request carries.</summary>
    /// <exception cref="LlmRequestException">The adapter has no such call, or the call cannot take the request's inputs, or JSON it gives is not text.</exception>
    internal CallPlan Resolve(LlmRequest request)
    {
        if (!_adapter.Calls.TryGetValue(request.Call, out var call))
        {
            throw new LlmRequestException(
                $"Adapter '{_adapter.Name}' ({_adapter.Location.File}) has no call '{request.Call}'{Internal.DidYouMean.Hint(request.Call, _adapter.Calls.Keys)}. Its calls: {string.Join(", ", _adapter.Calls.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (request.Variables.Count > 0 || request.Tools.Count > 0 || request.ResponseFormat?.Schema is not null)
        {
            CheckJsonIsText(request, call);
        }

        if (StandardVariables.AllImages(request).Count > 0 && !call.Inputs.HasFlag(InputKinds.Image))
        {
            throw Unsupported(call, "images", InputKinds.Image, "image");
        }

        if (request.Videos.Count > 0 && !call.Inputs.HasFlag(InputKinds.Video))
        {
            throw Unsupported(call, "videos", InputKinds.Video, "video");
        }

        if (!call.AcceptsTools && (request.Tools.Count > 0 || HasToolMessages(request)))
        {
            throw NoPlace(call, request.Tools.Count > 0 ? "tools" : "tool calls or tool results in its messages", "tools", static c => c.AcceptsTools);
        }

        // "auto" is every vendor's default when tools are sent, and "text" every vendor's default answer: they are never
        // sent (StandardVariables leaves them unset), so a call without a place for them loses nothing.
        if (request.ToolChoice is { } choice && !call.AcceptsToolChoice && !(choice.Kind == LlmToolChoiceKind.Auto && call.AcceptsTools))
        {
            throw NoPlace(call, $"a tool choice ({choice})", "tool_choice", static c => c.AcceptsToolChoice);
        }

        if (request.ResponseFormat is { } format && format.Kind != LlmResponseFormatKind.Text && !call.AcceptsResponseFormat)
        {
            throw NoPlace(call, $"a response format ({format})", "response_format", static c => c.AcceptsResponseFormat);
        }

        if (request.Inputs.Count > 0 && !call.UsesInput)
        {
            throw NoPlace(call, "Inputs (texts to embed)", "input", c => c.UsesInput);
        }

        if (request.Dimensions is not null && !call.UsesDimensions)
        {
            throw NoPlace(call, "Dimensions", "dimensions", c => c.UsesDimensions);
        }

        return call;
    }

    private static bool HasToolMessages(LlmRequest request)
    {
        foreach (var message in request.Messages)
        {
            if (message.ToolCalls.Count > 0 || message.ToolCallId is not null || message.Role == "tool")
            {
                return true;
            }
        }

        return false;
    }

    private LlmRequestException NoPlace(CallPlan call, string what, string variable, Func<CallPlan, bool> accepts)
    {
        var others = _adapter.Calls.Values.Where(accepts).Select(c => $"'{c.Name}'").ToArray();
        var hint = others.Length > 0
            ? $" Calls of adapter '{_adapter.Name}' that take it: {string.Join(", ", others)}."
            : $" No call of adapter '{_adapter.Name}' takes it.";
        return new LlmRequestException($"The request has {what}, but {call.DisplayName} has no place for it (its templates do not use ${{{variable}}}); nothing was sent.{hint}");
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
