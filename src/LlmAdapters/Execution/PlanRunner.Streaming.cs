using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Streaming;

namespace LlmAdapters.Execution;

internal sealed partial class PlanRunner
{
    /// <summary>The last characters of the received text quoted in a stream error message.</summary>
    private const int ReceivedTailChars = 200;

    /// <summary>
    /// Sends a stream call and yields the session once per decoded chunk; while the iterator is suspended the session
    /// holds that chunk's text and fields. The text is also appended to <paramref name="received"/>.
    /// </summary>
    /// <remarks>
    /// The profile's Timeout bounds the wait for the response headers; StreamIdleTimeout bounds each wait for more of
    /// the body. Disposing the enumerator (breaking out of await foreach) disposes the response and releases the connection.
    /// </remarks>
    /// <param name="call">A stream call.</param>
    /// <param name="request">The request.</param>
    /// <param name="received">Collects the text.</param>
    /// <param name="finalFields">When given, receives the final fields (last non-null value of each) when the stream ends normally; when null, the fields other than the text are not kept.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    public async IAsyncEnumerable<StreamSession> RunStreamAsync(CallPlan call, LlmRequest request, TextBuffer received, StrongBox<Dictionary<string, JsonElement>>? finalFields, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var plan = call.Stream!;

        // The timeout source bounds the wait for headers, then each wait for more of the body; none is made when neither
        // is limited, and it is linked to the caller's token only when the caller has one.
        var timed = Settings.Timeout != Timeout.InfiniteTimeSpan || Settings.StreamIdleTimeout != Timeout.InfiniteTimeSpan;
        using var timeout = timed ? new CancellationTokenSource(Settings.Timeout, Settings.TimeProvider) : null;
        using var linked = timeout is not null && cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token) : null;
        var token = linked?.Token ?? timeout?.Token ?? cancellationToken;

        // Retried (by the profile's policy) until a 2xx response starts; once it has, the stream is never retried.
        HttpResponseMessage response;
        try
        {
            response = await ExecuteAsync(call, request, async (scope, token) =>
            {
                using var message = RequestBuilder.Build(call.Request, scope, Settings, call);
                return await SendAsync(message, call, token).ConfigureAwait(false);
            }, retry: true, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LlmTimeoutException($"{Capitalize(call.DisplayName)} got no response headers within the timeout of {Settings.Timeout.TotalSeconds:0.###} s of profile '{Settings.ProfileName}'. Raise the profile's Timeout if the vendor is slow.", Settings.Timeout, e);
        }

        using (response)
        using (var session = new StreamSession(plan, Settings.MaxStreamLineBytes, call.DisplayName) { StatusCode = (int)response.StatusCode })
        {
            session.Decoder.KeepFields = finalFields is not null;
            Stream body;
            try
            {
                body = IsPlainJson(plan, response)
                    ? await ReadJsonInsteadOfStreamAsync(call, response, token).ConfigureAwait(false)
                    : await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw StreamFailure(call, received, "the connection failed before the body arrived", e);
            }

            await using (body.ConfigureAwait(false))
            {
                var chunks = 0;
                while (true)
                {
                    StepKind kind;
                    try
                    {
                        kind = session.Step();
                    }
                    catch (InvalidChunkException e)
                    {
                        // Not chained: its message holds the vendor's text unredacted; the JSON error (if any) is enough.
                        throw StreamFailure(call, received, e.Message, e.InnerException, e.VendorMessage, e.VendorCode);
                    }

                    if (kind == StepKind.Chunk)
                    {
                        chunks++;
                        if (session.CurrentText is { Length: > 0 } text)
                        {
                            received.Append(text);
                        }

                        yield return session;
                        continue;
                    }

                    if (kind == StepKind.Done)
                    {
                        CollectFinalFields(call, session, finalFields);
                        break;
                    }

                    if (kind == StepKind.End)
                    {
                        if (session.Truncation is { } truncation)
                        {
                            throw StreamFailure(call, received, truncation, null);
                        }

                        if (plan.DoneRequired && !session.SawDone)
                        {
                            throw StreamFailure(call, received, $"the body ended after {chunks} chunks without the end marker \"{plan.DoneText}\", so the answer may be cut short", null);
                        }

                        CollectFinalFields(call, session, finalFields);
                        break;
                    }

                    int read;
                    try
                    {
                        var buffer = session.GetReadBuffer();
                        if (Settings.StreamIdleTimeout != Timeout.InfiniteTimeSpan)
                        {
                            timeout!.CancelAfter(Settings.StreamIdleTimeout);
                        }

                        read = await body.ReadAsync(buffer, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw StreamFailure(call, received, $"the stream stalled: nothing arrived for {Settings.StreamIdleTimeout.TotalSeconds:0.###} s (StreamIdleTimeout)", new TimeoutException(e.Message, e));
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        throw StreamFailure(call, received, $"the connection closed mid-stream ({e.Message})", e);
                    }
                    catch (InvalidChunkException e)
                    {
                        throw StreamFailure(call, received, e.Message, e.InnerException);
                    }

                    if (read == 0)
                    {
                        session.Complete();
                    }
                    else
                    {
                        session.Advance(read);
                    }
                }
            }
        }
    }

    /// <summary>Runs a stream call to its end and returns the whole text with the final fields (last non-null value of each).</summary>
    public async Task<LlmResponse> CallStreamAsync(CallPlan call, LlmRequest request, CancellationToken cancellationToken)
    {
        using var received = new TextBuffer();
        var final = new StrongBox<Dictionary<string, JsonElement>>();
        var status = 200;
        await foreach (var session in RunStreamAsync(call, request, received, final, cancellationToken).ConfigureAwait(false))
        {
            status = session.StatusCode;
        }

        var text = received.ToString();
        var fields = final.Value ?? [];
        if (call.Response.TextIndex >= 0)
        {
            fields[call.Response.Fields[call.Response.TextIndex].Name] = Internal.JsonValues.String(text);
        }

        return new LlmResponse(text, fields, status, ResponseMap.UsageFrom(fields), ResponseMap.FinishReasonFrom(fields));
    }

    /// <summary>A 2xx JSON body where SSE or lines were expected: vendors answer so when they refuse a stream (MiniMax's base_resp, a gateway's error).</summary>
    private static bool IsPlainJson(StreamPlan plan, HttpResponseMessage response)
        => plan.Format is StreamFormat.Sse or StreamFormat.Lines
            && string.Equals(response.Content.Headers.ContentType?.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads such a body whole (bounded): an error in it is raised as the vendor's error; anything else is read as the stream.</summary>
    private async Task<Stream> ReadJsonInsteadOfStreamAsync(CallPlan call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response.Content, call, cancellationToken).ConfigureAwait(false);
        if (HttpErrors.TryParse(body, out var document))
        {
            using (document)
            {
                var root = document.RootElement;
                var isError = call.Error.ChecksSuccessResponses ? call.Error.IsInBandError(root) : ErrorMap.Default.Extract(root).Message is not null;
                if (isError)
                {
                    var (vendorMessage, vendorCode) = (call.Error.ChecksSuccessResponses ? call.Error : ErrorMap.Default).Extract(root);
                    throw HttpErrors.Create((int)response.StatusCode, "with an error instead of a stream", vendorMessage, vendorCode, System.Text.Encoding.UTF8.GetString(body), null, call, Settings);
                }
            }
        }

        return new MemoryStream(body, writable: false);
    }

    private static void CollectFinalFields(CallPlan call, StreamSession session, StrongBox<Dictionary<string, JsonElement>>? finalFields)
    {
        if (finalFields is not null)
        {
            finalFields.Value = session.Decoder.Fields.ToFields(call.DisplayName);
        }
    }

    private LlmStreamException StreamFailure(CallPlan call, TextBuffer received, string what, Exception? inner, string? vendorMessage = null, string? vendorCode = null)
    {
        var redactor = Settings.Redactor;
        var tail = received.Length == 0 ? "nothing had been received" : $"{received.Length + received.Dropped} characters had been received, ending with \"{received.Tail(ReceivedTailChars)}\"";
        return new LlmStreamException(
            redactor.Redact($"The stream of {call.DisplayName} for profile '{Settings.ProfileName}' failed: {what}. {tail}."),
            redactor.Redact(received.ToString()),
            vendorMessage is null ? null : redactor.Redact(vendorMessage),
            vendorCode is null ? null : redactor.Redact(vendorCode),
            inner);
    }
}
