using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Mapping;
using LlmAdapters.Streaming;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>The last characters of the received text quoted in a stream error message.</summary>
    private const int ReceivedTailChars = 200;

    /// <summary>
    /// Whether a stream's consumer steps the chunks already buffered itself (<see cref="StreamCall.MoveNextAsync"/>): always,
    /// except in the differential test that runs every stream both ways and proves that this changes nothing.
    /// </summary>
    internal bool ConsumerSteps { get; set; } = true;

    /// <summary>
    /// Whether an update whose values differ from the chunk before's only in integers is given as that chunk's snapshot
    /// and a patch (<see cref="SnapshotPatch"/>): always, except in the differential test that proves this changes nothing.
    /// </summary>
    internal bool PatchesSnapshots { get; set; } = true;

    /// <summary>
    /// Whether a cumulative stream's text is unescaped only past the bytes it was sent as before (<see cref="CumulativeText"/>):
    /// always, except in the differential test that proves this changes nothing.
    /// </summary>
    internal bool ComparesCumulativeBytes { get; set; } = true;

    /// <summary>
    /// Whether a chunk whose kept values did not change, by kind, skips them at once when its fields are kept and its
    /// snapshot compared (<see cref="ChunkDecoder.SkipsUnchangedKinds"/>): always, except in the differential test that
    /// proves this changes nothing.
    /// </summary>
    internal bool SkipsUnchangedKinds { get; set; } = true;

    /// <summary>Opens a stream call for its consumer to drive; nothing is sent before the first <see cref="StreamCall.MoveNextAsync"/>.</summary>
    /// <param name="call">A stream call.</param>
    /// <param name="request">The request.</param>
    /// <param name="keepsWholeText">Keep the whole text (CallAsync; bounded by MaxResponseBytes), else only its tail for messages.</param>
    /// <param name="keepsFields">Keep the fields other than the text, for <see cref="StreamCall.FinalFields"/>.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <param name="keepsToolCalls">Join the pieces of tool calls (false for StreamAsync, which yields text only).</param>
    public StreamCall OpenStream(CallPlan call, LlmRequest request, bool keepsWholeText, bool keepsFields, CancellationToken cancellationToken, bool keepsToolCalls = true)
    {
        var stream = new StreamCall(keepsWholeText, keepsFields, Settings.MaxResponseBytes) { KeepsToolCalls = keepsToolCalls && keepsFields, SteppedByConsumer = ConsumerSteps };
        stream.Start(RunStreamAsync(call, request, stream, cancellationToken).GetAsyncEnumerator(cancellationToken), cancellationToken);
        return stream;
    }

    /// <summary>
    /// The submit of a stream call with a stream step: sends the call's request and maps its JSON answer by
    /// <c>submit_resp</c> (an in-band error is raised as for a sync call); the items are the stream request's variables.
    /// </summary>
    /// <exception cref="LlmHttpException">The submit failed, or its answer carries an error.</exception>
    /// <exception cref="LlmException">The answer is not JSON, or lacks an item the stream request needs.</exception>
    private async Task<Dictionary<string, JsonElement>> SubmitForStreamAsync(CallPlan call, Templates.VariableScope scope, CancellationToken cancellationToken)
    {
        using var message = RequestBuilder.Build(call.Request, scope, Settings, call);
        using var response = await SendAsync(message, call, cancellationToken).ConfigureAwait(false);
        var body = await ReadWholeBodyAsync(response, call, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var redactor = RedactorOf(response);
        if (!HttpErrors.TryParseValue(body, out var root))
        {
            var contentType = ContentTypes.Describe(response.Content.Headers.ContentType?.MediaType);
            var what = body.Length == 0 ? $"with an empty body ({contentType})" : $"with {contentType} instead of JSON";
            throw HttpErrors.Create(status, $"{what} to the submit, so the stream's URL cannot be read from it", null, null, body.Length == 0 ? null : System.Text.Encoding.UTF8.GetString(body), null, call, Settings, redactor);
        }

        if (call.Error.IsInBandError(root))
        {
            var (vendorMessage, vendorCode) = call.Error.Extract(root);
            throw HttpErrors.Create(status, "with an error in the submit's body", vendorMessage, vendorCode, System.Text.Encoding.UTF8.GetString(body), null, call, Settings, redactor);
        }

        var submitted = call.SubmitResponse.Map(root, call.DisplayName, clone: false);
        foreach (var name in call.StreamStep!.VariableNames)
        {
            if (submitted.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Null)
            {
                var path = call.SubmitResponse.Fields.First(f => f.Name == name).PathText;
                throw HttpErrors.Create(status, $"with a submit answer that has no '{name}' (submit_resp path '{path}'), which the stream request needs; nothing was streamed", null, null, System.Text.Encoding.UTF8.GetString(body), null, call, Settings, redactor);
            }
        }

        return submitted;
    }

    /// <summary>
    /// Sends a stream call and yields the session once per decoded chunk (to <see cref="StreamCall"/>, which reads it while
    /// the iterator is suspended). The text is also appended to the stream's <see cref="StreamCall.Received"/>.
    /// </summary>
    /// <remarks>
    /// The profile's Timeout bounds the wait for the response headers; StreamIdleTimeout bounds each wait for more of
    /// the body. Disposing the enumerator (breaking out of await foreach) disposes the response and releases the connection.
    /// </remarks>
    private async IAsyncEnumerable<StreamSession> RunStreamAsync(CallPlan call, LlmRequest request, StreamCall stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var plan = call.Stream!;
        var received = stream.Received;

        // StreamTimeout bounds the whole stream, from the request to the last byte (off unless the profile sets it).
        using var total = Settings.StreamTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(Settings.StreamTimeout, Settings.TimeProvider);
        using var linkedTotal = total is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, total.Token);
        var outer = linkedTotal?.Token ?? cancellationToken;

        // The timeout source bounds the wait for headers, then each wait for more of the body; none is made when neither
        // is limited, and it is linked to the caller's token only when the caller has one.
        var timed = Settings.Timeout != Timeout.InfiniteTimeSpan || Settings.StreamIdleTimeout != Timeout.InfiniteTimeSpan;
        using var timeout = timed ? new CancellationTokenSource(Settings.Timeout, Settings.TimeProvider) : null;
        using var linked = timeout is not null && outer.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(outer, timeout.Token) : null;
        var token = linked?.Token ?? timeout?.Token ?? outer;

        // Retried (by the profile's policy) until a 2xx response starts; once it has, the stream is never retried.
        HttpResponseMessage response;
        try
        {
            // A call with a stream step submits first and streams from the URL the submit gives: one attempt, one key,
            // never retried (a second submit would start a second paid job).
            response = await ExecuteAsync(call, request, async (scope, token) =>
            {
                if (call.StreamStep is { } step)
                {
                    var submitted = await SubmitForStreamAsync(call, scope, token).ConfigureAwait(false);
                    using var streamMessage = RequestBuilder.Build(step, scope.With(submitted), Settings, call);
                    return await SendAsync(streamMessage, call, token).ConfigureAwait(false);
                }

                using var message = RequestBuilder.Build(call.Request, scope, Settings, call);
                var sent = await SendAsync(message, call, token).ConfigureAwait(false);
                return call.Auth is null ? sent : await CheckTokenRefusedAsync(call, sent, token).ConfigureAwait(false);
            }, retry: call.StreamStep is null, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && Expired(call, e, "got no response headers", timeout, total) is { } expired)
        {
            throw expired;
        }

        // The call's redactor also knows the request's own secrets (per-request keys, what converters made of them).
        var redactor = RedactorOf(response);
        using (response)
        using (var session = new StreamSession(plan, Settings.MaxStreamLineBytes, call.DisplayName, Settings.MaxResponseBytes) { StatusCode = (int)response.StatusCode })
        {
            session.Decoder.KeepFields = stream.KeepsFields;
            session.Decoder.PatchesSnapshots = PatchesSnapshots;
            session.Decoder.ComparesCumulativeBytes = ComparesCumulativeBytes;
            session.Decoder.SkipsUnchangedKinds = SkipsUnchangedKinds;
            session.Decoder.KeepToolCalls = stream.KeepsToolCalls;
            Stream body;
            try
            {
                var contentType = response.Content.Headers.ContentType?.MediaType;
                if (ContentTypes.IsUnreadable(contentType))
                {
                    throw await UnexpectedBodyAsync(call, response, $"with {ContentTypes.Describe(contentType)} instead of the stream", token).ConfigureAwait(false);
                }

                if (ContentTypes.IsJson(contentType) && plan.Framing.AcceptsJsonBody)
                {
                    var (json, whole) = await ReadJsonInsteadOfStreamAsync(call, response, token).ConfigureAwait(false);
                    if (whole)
                    {
                        session.LoadWhole(json);
                        body = Stream.Null;
                    }
                    else
                    {
                        body = new MemoryStream(json, writable: false);
                    }
                }
                else
                {
                    body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // A JSON body is read whole, bounded by the profile's Timeout (the idle timeout starts with the stream).
                throw total is { IsCancellationRequested: true }
                    ? StreamFailure(redactor, call, received, TimedOut(total), new TimeoutException(e.Message, e))
                    : new LlmTimeoutException(redactor.Redact($"{Capitalize(call.DisplayName)} answered {(int)response.StatusCode} with a body that did not arrive whole within the timeout of {Settings.Timeout.TotalSeconds:0.###} s of profile '{Settings.ProfileName}'."), Settings.Timeout, e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw StreamFailure(redactor, call, received, "the connection failed before the body arrived", e);
            }

            var completed = false;
            StreamIdleWatch? idle = null;
            var reads = new StreamBodyReads(body, token);
            stream.Reads = reads; // (the consumer's step reads too, when a read completes at once)
            await using (body.ConfigureAwait(false))
            {
                try
                {
                    while (true)
                    {
                        // A consumer that cancelled gets no more chunks, even those already read (which would otherwise
                        // come without a wait for the network, where the token is first seen).
                        cancellationToken.ThrowIfCancellationRequested();
                        StepKind kind;
                        try
                        {
                            // The consumer may have stepped already (StreamCall.MoveNextAsync) and handed the result on.
                            kind = stream.TakePending() ?? session.Step();
                        }
                        catch (InvalidChunkException e)
                        {
                            // Not chained: its message holds the vendor's text unredacted; the JSON error (if any) is enough.
                            throw StreamFailure(redactor, call, received, e.Message, e.InnerException, e.VendorMessage, e.VendorCode);
                        }

                        if (kind == StepKind.Chunk)
                        {
                            if (session.IsWhole && !session.Decoder.TextFound)
                            {
                                throw HttpErrors.Create(
                                    (int)response.StatusCode,
                                    $"with a JSON body instead of the stream, and the call's text item{TextPathHint(call)} is not in it",
                                    null,
                                    null,
                                    System.Text.Encoding.UTF8.GetString(session.FirstBytes),
                                    null,
                                    call,
                                    Settings,
                                    redactor);
                            }

                            // Made current before the yield: the stream's step needs no await of its own.
                            if (!stream.Accept(session))
                            {
                                throw StreamFailure(redactor, call, received, $"the text is longer than the profile's MaxResponseBytes ({Settings.MaxResponseBytes}), which bounds what CallAsync keeps of a stream", null);
                            }

                            yield return session;
                            continue;
                        }

                        if (kind == StepKind.Done)
                        {
                            CollectFinalFields(redactor, call, session, stream);
                            completed = true;
                            break;
                        }

                        if (kind == StepKind.End)
                        {
                            if (session.Truncation is { } truncation)
                            {
                                throw StreamFailure(redactor, call, received, truncation, null);
                            }

                            if (session.Chunks == 0)
                            {
                                // Nothing that the call reads arrived: an empty body, a page, events of another API.
                                var first = System.Text.Encoding.UTF8.GetString(session.FirstBytes);
                                throw HttpErrors.Create(
                                    (int)response.StatusCode,
                                    first.Length == 0
                                        ? $"with an empty body ({ContentTypes.Describe(response.Content.Headers.ContentType?.MediaType)}) instead of the stream"
                                        : $"with a body that holds no chunk of the stream ({ContentTypes.Describe(response.Content.Headers.ContentType?.MediaType)}, stream_format {plan.Framing.Name})",
                                    null,
                                    null,
                                    first.Length == 0 ? null : first,
                                    null,
                                    call,
                                    Settings,
                                    redactor);
                            }

                            if (plan.DoneRequired && !session.SawDone && !session.IsWhole)
                            {
                                throw StreamFailure(redactor, call, received, $"the body ended after {session.Chunks} chunks without the end marker \"{plan.DoneText}\", so the answer may be cut short", null);
                            }

                            CollectFinalFields(redactor, call, session, stream);
                            completed = true;
                            break;
                        }

                        int read;
                        try
                        {
                            if (idle is null && Settings.StreamIdleTimeout != Timeout.InfiniteTimeSpan)
                            {
                                // The headers are in: from here each wait for more of the body is bounded instead.
                                timeout!.CancelAfter(Timeout.InfiniteTimeSpan);
                                idle = new StreamIdleWatch(timeout, Settings.StreamIdleTimeout, Settings.TimeProvider);
                            }

                            // Only a read that has to wait for the network is timed: one served from bytes already
                            // buffered (most reads of a fast stream) costs no clock read. (A read the consumer's step
                            // started and left, because it has to wait or failed, is this one.)
                            var pending = reads.Next(session);
                            if (pending.IsCompleted)
                            {
                                read = pending.Result;
                            }
                            else
                            {
                                idle?.WaitStarting();
                                read = await pending.ConfigureAwait(false);
                                idle?.WaitEnded();
                            }
                        }
                        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                        {
                            throw StreamFailure(redactor, call, received, TimedOut(total), new TimeoutException(e.Message, e));
                        }
                        catch (Exception e) when (e is IOException or HttpRequestException)
                        {
                            throw StreamFailure(redactor, call, received, $"the connection closed mid-stream ({e.Message})", e);
                        }
                        catch (InvalidChunkException e)
                        {
                            throw StreamFailure(redactor, call, received, e.Message, e.InnerException);
                        }

                        StreamBodyReads.Apply(session, read);
                    }
                }
                finally
                {
                    idle?.Dispose();
                    await reads.SettleAsync().ConfigureAwait(false); // (before the abort reads the body again)
                    if (!completed)
                    {
                        // Stopped early (the consumer broke out, cancelled, or the stream failed): the vendor should see the
                        // disconnect now and stop generating, not after the rest of the answer has been drained.
                        await StreamAbort.AbortAsync(body).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    /// <summary>Runs a stream call to its end and returns the whole text with the final fields (last non-null value of each).</summary>
    public async Task<LlmResponse> CallStreamAsync(CallPlan call, LlmRequest request, CancellationToken cancellationToken)
    {
        var stream = OpenStream(call, request, keepsWholeText: true, keepsFields: true, cancellationToken);
        string text;
        Dictionary<string, JsonElement> fields;
        int status;
        await using (stream.ConfigureAwait(false))
        {
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
            }

            text = stream.Received.ToString();
            fields = stream.FinalFields ?? [];
            status = stream.StatusCode == 0 ? 200 : stream.StatusCode;
        }

        if (call.Response.TextIndex >= 0)
        {
            fields[call.Response.Fields[call.Response.TextIndex].Name] = Internal.JsonValues.String(text);
        }

        return new LlmResponse(text, fields, status, ResponseMap.UsageFrom(fields), ResponseMap.FinishReasonFrom(fields));
    }

    /// <summary>What stopped a stream: its StreamTimeout, or a wait for more of the body longer than StreamIdleTimeout.</summary>
    private string TimedOut(CancellationTokenSource? total) => total is { IsCancellationRequested: true }
        ? $"the stream did not finish within the StreamTimeout of {Settings.StreamTimeout.TotalSeconds:0.###} s"
        : $"the stream stalled: nothing arrived for {Settings.StreamIdleTimeout.TotalSeconds:0.###} s (StreamIdleTimeout)";

    private static string TextPathHint(CallPlan call)
        => call.Response.TextIndex < 0 ? " (it maps none)" : $" '{call.Response.Fields[call.Response.TextIndex].Name}' (path '{call.Response.Fields[call.Response.TextIndex].PathText}')";

    /// <summary>A 2xx response whose body the call cannot read: raised with its content type and first bytes.</summary>
    private async Task<LlmHttpException> UnexpectedBodyAsync(CallPlan call, HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var first = await HttpErrors.ReadPrefixAsync(response.Content, StreamSession.FirstBytesLimit, cancellationToken).ConfigureAwait(false);
        return HttpErrors.Create((int)response.StatusCode, what, null, null, first.Length == 0 ? null : System.Text.Encoding.UTF8.GetString(first), null, call, Settings, RedactorOf(response));
    }

    /// <summary>
    /// A 2xx JSON body where a stream was expected (vendors answer so when they refuse a stream: MiniMax's base_resp, a
    /// gateway's error, a host that ignores "stream": true), read whole and bounded: an error in it is raised as the
    /// vendor's error. Whole is true when the body is one JSON value, to be read as the whole answer; false for a stream
    /// mislabelled as JSON (several NDJSON lines), to be read as the stream it is.
    /// </summary>
    private async Task<(byte[] Body, bool Whole)> ReadJsonInsteadOfStreamAsync(CallPlan call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response.Content, call, cancellationToken).ConfigureAwait(false);
        if (!HttpErrors.TryParse(body, out var document))
        {
            return (body, false);
        }

        using (document)
        {
            var root = document.RootElement;
            var errors = call.Error.ChecksSuccessResponses ? call.Error : ErrorMap.Default;
            if (call.Error.ChecksSuccessResponses ? call.Error.IsInBandError(root) : errors.Extract(root).Message is not null)
            {
                var (vendorMessage, vendorCode) = errors.Extract(root);
                throw HttpErrors.Create((int)response.StatusCode, "with an error instead of a stream", vendorMessage, vendorCode, System.Text.Encoding.UTF8.GetString(body), null, call, Settings, RedactorOf(response));
            }
        }

        return (body, true);
    }

    private void CollectFinalFields(Internal.SecretRedactor redactor, CallPlan call, StreamSession session, StreamCall stream)
    {
        if (stream.KeepsFields)
        {
            try
            {
                stream.FinalFields = session.Decoder.Fields.ToFields(call.DisplayName);
            }
            catch (InvalidChunkException e)
            {
                // Tool calls cut short (the arguments of the last one are not whole JSON): never a wrong call.
                throw StreamFailure(redactor, call, stream.Received, e.Message, e.InnerException);
            }
        }
    }

    private LlmStreamException StreamFailure(Internal.SecretRedactor redactor, CallPlan call, TextBuffer received, string what, Exception? inner, string? vendorMessage = null, string? vendorCode = null)
    {
        var tail = received.Length == 0 ? "nothing had been received" : $"{received.Length + received.Dropped} characters had been received, ending with \"{received.Tail(ReceivedTailChars)}\"";
        return new LlmStreamException(
            redactor.Redact($"The stream of {call.DisplayName} for profile '{Settings.ProfileName}' failed: {what}. {tail}."),
            redactor.Redact(received.ToString()),
            vendorMessage is null ? null : redactor.Redact(vendorMessage),
            vendorCode is null ? null : redactor.Redact(vendorCode),
            inner)
        {
            ShouldRetry = call.Error.IsRetryCode(vendorCode),
        };
    }
}
