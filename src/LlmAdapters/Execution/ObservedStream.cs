using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Mapping;
using LlmAdapters.Observability;

namespace LlmAdapters.Execution;

/// <summary>
/// A stream call's chunks, timed, logged and traced: the one loop under <see cref="LlmClient.StreamAsync"/>,
/// <see cref="LlmClient.StreamUpdatesAsync(LlmRequest, CancellationToken)"/> and the chat client's updates. Each chunk is
/// turned into what the caller gets by the projection while it is current (null: nothing to yield); a call that is not a
/// stream call yields the whole response once. With text only, the other fields are kept only when the observation
/// records them. An async call yields its poll steps when given, else its result once; after a stream's last chunk, one
/// more item may follow (StreamUpdatesAsync: the whole tool calls).
/// </summary>
/// <remarks>
/// Written out instead of as an async iterator: an iterator's every step resumes its state machine and completes a
/// value-task source, which costs about as much as decoding a small chunk. Here a chunk already buffered is stepped and
/// projected synchronously, and only a chunk that must wait for the network goes through an async method (pooled, so
/// that the wait allocates nothing). What an iterator gives is kept: nothing is sent before the first step, argument
/// errors surface there, the method's and the enumerator's tokens are combined, the observation ends when the stream
/// does (completed, failed or stopped early), and the consumer's execution context flows into each wait.
/// </remarks>
internal sealed class ObservedStream<T> : IAsyncEnumerable<T>
    where T : class
{
    private readonly LlmClient _client;
    private readonly LlmRequest _request;
    private readonly bool _textOnly;
    private readonly Func<StreamCall, T?> _project;
    private readonly Func<LlmResponse, T> _whole;
    private readonly CancellationToken _cancellationToken;
    private readonly Func<CallPlan, LlmRequest, CancellationToken, IAsyncEnumerable<T>>? _asyncSteps;
    private readonly Func<StreamCall, T?>? _last;

    public ObservedStream(
        LlmClient client,
        LlmRequest request,
        bool textOnly,
        Func<StreamCall, T?> project,
        Func<LlmResponse, T> whole,
        CancellationToken cancellationToken,
        Func<CallPlan, LlmRequest, CancellationToken, IAsyncEnumerable<T>>? asyncSteps = null,
        Func<StreamCall, T?>? last = null)
    {
        _client = client;
        _request = request;
        _textOnly = textOnly;
        _project = project;
        _whole = whole;
        _cancellationToken = cancellationToken;
        _asyncSteps = asyncSteps;
        _last = last;
    }

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // As a compiler-generated iterator combines its [EnumeratorCancellation] token with the enumerator's.
        CancellationTokenSource? linked = null;
        var token = _cancellationToken;
        if (!token.CanBeCanceled || token == cancellationToken)
        {
            token = cancellationToken;
        }
        else if (cancellationToken.CanBeCanceled)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken);
            token = linked.Token;
        }

        return new Enumerator(this, linked, token);
    }

    /// <summary>Ends a stream's observation with its final fields (or none, when the consumer stopped early).</summary>
    internal static void Complete(CallObservation observation, int status, Dictionary<string, JsonElement>? fields)
        => observation.Complete(
            status,
            fields is null ? null : ResponseMap.UsageFrom(fields),
            fields is not null && fields.TryGetValue("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null,
            fields is null ? null : ResponseMap.FinishReasonFrom(fields));

    private sealed class Enumerator : IAsyncEnumerator<T>
    {
        private readonly ObservedStream<T> _owner;
        private readonly CancellationToken _token;
        private readonly CancellationTokenSource? _linked;
        private State _state;
        private T? _current;
        private CallObservation? _observation;
        private StreamCall? _stream;
        private IAsyncEnumerator<T>? _steps;
        private bool _firstChunk;

        public Enumerator(ObservedStream<T> owner, CancellationTokenSource? linked, CancellationToken token)
        {
            _owner = owner;
            _token = token;
            _linked = linked;
        }

        private enum State
        {
            /// <summary>Nothing sent yet.</summary>
            NotStarted,

            /// <summary>A stream call's chunks.</summary>
            Streaming,

            /// <summary>An async call's poll steps.</summary>
            Polling,

            /// <summary>One item given (a whole response, or the stream's last item); the next step ends.</summary>
            LastGiven,

            /// <summary>Ended: every further step is false.</summary>
            Ended,
        }

        public T Current => _current!;

        public ValueTask<bool> MoveNextAsync()
        {
            switch (_state)
            {
                case State.Streaming:
                    while (true)
                    {
                        ValueTask<bool> pending;
                        try
                        {
                            pending = _stream!.MoveNextAsync();
                        }
                        catch (Exception e)
                        {
                            return FailAsync(e);
                        }

                        if (!pending.IsCompletedSuccessfully)
                        {
                            return AwaitChunkAsync(pending);
                        }

                        if (!pending.Result)
                        {
                            return EndOfStreamAsync();
                        }

                        try
                        {
                            if (TakeChunk())
                            {
                                return new ValueTask<bool>(true);
                            }
                        }
                        catch (Exception e)
                        {
                            return FailAsync(e);
                        }
                    }

                case State.NotStarted:
                    return StartAsync();
                case State.Polling:
                    return NextStepAsync();
                case State.LastGiven:
                    return EndAsync();
                case State.Ended:
                    return new ValueTask<bool>(false);
                default:
                    throw new System.Diagnostics.UnreachableException($"ObservedStream state {_state}.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            var state = _state;
            _state = State.Ended;
            try
            {
                switch (state)
                {
                    case State.Streaming:
                    case State.LastGiven:
                        await EndStreamAsync().ConfigureAwait(false);
                        break;
                    case State.Polling:
                        await _steps!.DisposeAsync().ConfigureAwait(false);
                        break;
                    case State.NotStarted:
                    case State.Ended:
                        break;
                    default:
                        throw new System.Diagnostics.UnreachableException($"ObservedStream state {state}.");
                }
            }
            finally
            {
                _linked?.Dispose();
            }
        }

        /// <summary>The first step: the call is resolved (its errors surface here) and sent.</summary>
        private async ValueTask<bool> StartAsync()
        {
            _state = State.Ended; // until a call is under way
            var owner = _owner;
            ArgumentNullException.ThrowIfNull(owner._request);
            var request = owner._request;
            var call = owner._client.Resolve(request);
            if (call.ApiType == LlmApiType.Async && owner._asyncSteps is not null)
            {
                _steps = owner._asyncSteps(call, request, _token).GetAsyncEnumerator(CancellationToken.None);
                _state = State.Polling;
                return await NextStepAsync().ConfigureAwait(false);
            }

            if (call.ApiType != LlmApiType.Stream)
            {
                _current = owner._whole(await owner._client.CallAsync(request, _token).ConfigureAwait(false));
                _state = State.LastGiven;
                return true;
            }

            var observation = new CallObservation(owner._client.Settings, owner._client.ProviderName, call.Name, call.ApiType, request);
            _observation = observation;
            _stream = owner._client.Runner.OpenStream(call, request, keepsWholeText: false, keepsFields: !owner._textOnly || observation.WantsResult, _token, keepsToolCalls: !owner._textOnly);
            _state = State.Streaming;
            return await MoveNextAsync().ConfigureAwait(false);
        }

        /// <summary>A chunk that has to wait for the network, and the chunks after it until one gives an item.</summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> AwaitChunkAsync(ValueTask<bool> pending)
        {
            while (true)
            {
                try
                {
                    // Awaited here, in the one frame: the chunk that arrives resumes this loop directly.
                    if (!await pending.ConfigureAwait(false))
                    {
                        break;
                    }

                    if (TakeChunk())
                    {
                        return true;
                    }

                    pending = _stream!.MoveNextAsync();
                }
                catch (Exception e)
                {
                    return await FailAsync(e).ConfigureAwait(false);
                }
            }

            return await EndOfStreamAsync().ConfigureAwait(false);
        }

        /// <summary>The current chunk's item, if it gives one (and the time to the first text).</summary>
        private bool TakeChunk()
        {
            var stream = _stream!;
            if (!_firstChunk && stream.CurrentText is { Length: > 0 })
            {
                _observation!.FirstChunk();
                _firstChunk = true;
            }

            if (_owner._project(stream) is { } item)
            {
                _current = item;
                return true;
            }

            return false;
        }

        /// <summary>The stream has ended normally: its last item if there is one, else the end.</summary>
        private ValueTask<bool> EndOfStreamAsync()
        {
            try
            {
                if (_owner._last?.Invoke(_stream!) is { } final)
                {
                    _current = final;
                    _state = State.LastGiven;
                    return new ValueTask<bool>(true);
                }
            }
            catch (Exception e)
            {
                return FailAsync(e);
            }

            return EndAsync();
        }

        private async ValueTask<bool> EndAsync()
        {
            var state = _state;
            _state = State.Ended;
            _current = null;
            if (state is State.Streaming or State.LastGiven)
            {
                await EndStreamAsync().ConfigureAwait(false);
            }

            return false;
        }

        /// <summary>Releases the connection and ends the observation (as completed, unless it failed already).</summary>
        private async ValueTask EndStreamAsync()
        {
            if (_stream is not { } stream)
            {
                return;
            }

            _stream = null;
            await stream.DisposeAsync().ConfigureAwait(false);
            Complete(_observation!, stream.StatusCode, stream.FinalFields);
        }

        /// <summary>The stream failed: recorded, the connection released, and the failure rethrown.</summary>
        private async ValueTask<bool> FailAsync(Exception exception)
        {
            _observation?.Fail(exception);
            _state = State.Ended;
            await EndStreamAsync().ConfigureAwait(false);
            ExceptionDispatchInfo.Throw(exception);
            return false;
        }

        private async ValueTask<bool> NextStepAsync()
        {
            var steps = _steps!;
            try
            {
                if (await steps.MoveNextAsync().ConfigureAwait(false))
                {
                    _current = steps.Current;
                    return true;
                }
            }
            catch
            {
                _state = State.Ended;
                _steps = null;
                await steps.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _state = State.Ended;
            _steps = null;
            _current = null;
            await steps.DisposeAsync().ConfigureAwait(false);
            return false;
        }
    }
}
