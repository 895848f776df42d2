using System.Text;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Streaming;

/// <summary>Streams over a real Kestrel server on 127.0.0.1, in every write pattern, and the faults a mock cannot show.</summary>
[NonParallelizable]
public class LoopbackStreamTests
{
    private static readonly string[] Pieces = ["你好", "，", "世界", "！😀", " emoji 👍🏽 ", "and \"quotes\" \\ ", "中文与English混排", "🇨🇳", "end."];

    private LoopbackServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await LoopbackServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private const string Adapter = """
        {
          "name": "loop",
          "openai_sse": { "path": "/x", "apitype": "stream", "stream_format": "sse", "stream_done": "[DONE]",
            "resp": [ { "name": "content", "value": "choices[0].delta.content" }, { "name": "usage", "value": "usage" } ] },
          "openai_lines_crlf": { "path": "/x", "apitype": "stream", "chunk_match": "data: (.*)", "stream_done": "[DONE]",
            "resp": [ { "name": "content", "value": "choices[0].delta.content" } ] },
          "ollama": { "path": "/x", "apitype": "stream",
            "resp": [ { "name": "content", "value": "message.content" }, { "name": "done", "value": "done" } ] },
          "anthropic": { "path": "/x", "apitype": "stream", "stream_format": "sse",
            "resp": [ { "name": "content", "value": "delta.text" } ] },
          "raw": { "path": "/x", "apitype": "stream", "stream_format": "raw" },
          "gemini_array": { "path": "/x", "apitype": "stream", "stream_format": "json-array",
            "resp": [ { "name": "content", "value": "candidates[0].content.parts[0].text" } ] }
        }
        """;

    private static readonly LlmCatalog Catalog = LlmCatalog.FromJson(Adapter, "loop.json");

    private static string Body(string call)
    {
        var sb = new StringBuilder();
        switch (call)
        {
            case "openai_sse":
                return StreamResponses.OpenAi(Pieces);
            case "openai_lines_crlf":
                return StreamResponses.OpenAi(Pieces).Replace("\n", "\r\n", StringComparison.Ordinal);
            case "ollama":
                foreach (var p in Pieces)
                {
                    sb.Append("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":").Append(System.Text.Json.JsonSerializer.Serialize(p)).Append("},\"done\":false}\n");
                }

                return sb.Append("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"eval_count\":9}\n").ToString();
            case "anthropic":
                sb.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}}}\n\n");
                foreach (var p in Pieces)
                {
                    sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":").Append(System.Text.Json.JsonSerializer.Serialize(p)).Append("}}\n\n");
                }

                return sb.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n").ToString();
            case "raw":
                return string.Concat(Pieces);
            case "gemini_array":
                sb.Append('[');
                for (var i = 0; i < Pieces.Length; i++)
                {
                    sb.Append(i == 0 ? string.Empty : ",\r\n").Append("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":").Append(System.Text.Json.JsonSerializer.Serialize(Pieces[i])).Append("}]}}]}");
                }

                return sb.Append(']').ToString();
            default:
                throw new ArgumentOutOfRangeException(nameof(call));
        }
    }

    private ILlmClient Client(string path, Action<LlmProfile>? configure = null, TimeProvider? time = null)
    {
        var profile = new LlmProfile { Adapter = "loop", BaseUrl = _server.BaseUrl + path };
        configure?.Invoke(profile);
        return Catalog.CreateClient(profile, new SocketsHttpHandler(), time);
    }

    /// <summary>A route that sends one OpenAI chunk ("one") and then nothing, until the client lets go (<paramref name="aborted"/> is then set).</summary>
    private string ServeOneChunkThenStall(TaskCompletionSource aborted) => _server.Route(async context =>
    {
        using var registration = context.RequestAborted.Register(() => aborted.TrySetResult());
        context.Response.ContentType = "text/event-stream";
        var first = Encoding.UTF8.GetBytes(StreamResponses.OpenAi(["one"], done: false).Split("\n\n")[0] + "\n\n");
        await context.Response.Body.WriteAsync(first);
        await context.Response.Body.FlushAsync();
        await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
    });

    private string Serve(string body, WritePattern pattern, string contentType = "text/event-stream")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return _server.Route(context => LoopbackServer.WriteAsync(context, bytes, pattern, contentType));
    }

    [Test]
    public async Task EveryFraming_InEveryWritePattern_GivesTheExactText(
        [Values("openai_sse", "openai_lines_crlf", "ollama", "anthropic", "raw", "gemini_array")] string call,
        [Values] WritePattern pattern)
    {
        var path = Serve(Body(call), pattern);
        var pieces = await StreamResponses.CollectAsync(Client(path).StreamAsync(new LlmRequest { Call = call }));
        Assert.That(string.Concat(pieces), Is.EqualTo(string.Concat(Pieces)));
        if (call != "raw")
        {
            Assert.That(pieces, Is.EqualTo(Pieces), "each chunk's text is yielded as one piece");
        }
    }

    [Test]
    public async Task CallAsync_OverLoopback_JoinsTheText([Values] WritePattern pattern)
    {
        var response = await Client(Serve(Body("openai_sse"), pattern)).CallAsync(new LlmRequest { Call = "openai_sse" });
        Assert.That(response.Text, Is.EqualTo(string.Concat(Pieces)));
        Assert.That(response.Usage?.TotalTokens, Is.EqualTo(12));
    }

    [Test]
    public async Task Disconnect_MidStream_IsAStreamException_KeepingReceivedText()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var path = ServeFirstEvents(3, async (context, _) =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            context.Abort();
        });

        var received = new List<string>();
        var e = Assert.ThrowsAsync<LlmStreamException>(async () =>
        {
            await foreach (var piece in Client(path).StreamAsync(new LlmRequest { Call = "openai_sse" }))
            {
                received.Add(piece);
                if (received.Count == 3)
                {
                    release.SetResult();
                }
            }
        })!;

        Assert.That(received, Is.EqualTo(Pieces[..3]));
        Assert.That(e.ReceivedText, Is.EqualTo(string.Concat(Pieces[..3])));
        Assert.That(e.Message, Does.Contain("connection closed mid-stream").Or.Contain("without the end marker"));
    }

    [Test]
    public async Task Stall_PastTheIdleTimeout_FailsInsteadOfHanging()
    {
        var path = ServeFirstEvents(2, (context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        var time = new ManualTimeProvider();
        var idle = TimeSpan.FromSeconds(7);
        var client = Client(path, p => p.StreamIdleTimeout = idle, time);
        var armed = time.NextArmed(idle); // the body's first read arms the idle timeout
        Task? waiting = null;
        var received = new List<string>();
        var gotTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = Task.Run(async () =>
        {
            await foreach (var piece in client.StreamAsync(new LlmRequest { Call = "openai_sse" }))
            {
                received.Add(piece);
                if (received.Count == 2)
                {
                    // The next read has to wait (the server has stalled), and notes when its wait starts.
                    waiting = time.NextTimestampRead();
                    gotTwo.SetResult();
                }
            }
        });

        await gotTwo.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await armed.WaitAsync(TimeSpan.FromSeconds(30));
        await waiting!.WaitAsync(TimeSpan.FromSeconds(30));

        // The read notes its wait just after it reads the clock: should the timer fire in between, it finds no wait and
        // is set again for a whole idle timeout, and the clock moves once more (bounded; each step waits for an event).
        for (var step = 0; step < 5 && !consumer.IsCompleted; step++)
        {
            var setAgain = time.NextArmed(idle);
            time.Advance(idle + TimeSpan.FromSeconds(1));
            await Task.WhenAny(consumer, setAgain).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var e = Assert.ThrowsAsync<LlmStreamException>(async () => await consumer.WaitAsync(TimeSpan.FromSeconds(30)))!;
        Assert.That(e.Message, Does.Contain("stalled").And.Contain("7 s"));
        Assert.That(e.ReceivedText, Is.EqualTo(string.Concat(Pieces[..2])));
    }

    [Test]
    public async Task HoldingAChunk_LongerThanTheIdleTimeout_IsNotAStall()
    {
        // StreamIdleTimeout bounds each wait for more of the body; the time the consumer spends on a chunk is not one.
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var path = ServeFirstEvents(2, async (context, remaining) =>
        {
            await rest.Task.WaitAsync(context.RequestAborted);
            await context.Response.Body.WriteAsync(remaining);
        });
        var time = new ManualTimeProvider();
        var idle = TimeSpan.FromSeconds(7);
        var armed = time.NextArmed(idle);
        var received = new List<string>();
        await foreach (var piece in Client(path, p => p.StreamIdleTimeout = idle, time).StreamAsync(new LlmRequest { Call = "openai_sse" }))
        {
            received.Add(piece);
            if (received.Count == 1)
            {
                // The consumer holds the first piece for three idle timeouts; no read is pending meanwhile.
                await armed.WaitAsync(TimeSpan.FromSeconds(30));
                for (var i = 0; i < 3; i++)
                {
                    time.Advance(idle);
                }

                rest.SetResult();
            }
        }

        Assert.That(received, Is.EqualTo(Pieces));
    }

    [Test]
    public void OversizedLine_OverTheNetwork_IsAStreamException()
    {
        var path = _server.Route(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            var line = Encoding.UTF8.GetBytes("data: " + new string('x', 300_000));
            try
            {
                await context.Response.Body.WriteAsync(line, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // the client gave up, as it should
            }
        });
        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(Client(path, p => p.MaxStreamLineBytes = 64 * 1024).StreamAsync(new LlmRequest { Call = "openai_sse" })))!;
        Assert.That(e.Message, Does.Contain("longer than the limit of 65536 bytes"));
    }

    [Test]
    public async Task BreakingOut_AndCancelling_ReleaseTheConnection()
    {
        foreach (var cancel in new[] { false, true })
        {
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var path = ServeOneChunkThenStall(aborted);

            using var cts = new CancellationTokenSource();
            var pieces = 0;
            try
            {
                await foreach (var piece in Client(path).StreamAsync(new LlmRequest { Call = "openai_sse" }, cts.Token))
                {
                    pieces++;
                    if (!cancel)
                    {
                        break;
                    }

                    cts.Cancel();
                }
            }
            catch (OperationCanceledException) when (cancel)
            {
            }

            Assert.That(pieces, Is.EqualTo(1));
            await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// A cancellation that arrives while a step waits for the network (not between steps): through the method's token, the
    /// enumerator's (WithCancellation), or both (combined into one), the waiting step ends with the cancellation, nothing
    /// more is yielded, and the connection is released.
    /// </summary>
    [Test]
    public async Task CancellingWhileAStepWaits_ThroughEitherToken_EndsTheStep_AndReleasesTheConnection()
    {
        foreach (var tokens in new[] { "method", "enumerator", "both" })
        {
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var path = ServeOneChunkThenStall(aborted);

            using var methodCancel = new CancellationTokenSource();
            using var enumeratorCancel = new CancellationTokenSource();
            var stream = Client(path).StreamAsync(new LlmRequest { Call = "openai_sse" }, tokens == "enumerator" ? default : methodCancel.Token);
            var enumerator = stream.GetAsyncEnumerator(tokens == "method" ? default : enumeratorCancel.Token);
            try
            {
                Assert.That(await enumerator.MoveNextAsync(), Is.True, tokens);
                Assert.That(enumerator.Current, Is.EqualTo("one"), tokens);

                // The server sends nothing more: this step waits for the network until it is cancelled.
                var waiting = enumerator.MoveNextAsync().AsTask();
                Assert.That(waiting.IsCompleted, Is.False, tokens);
                (tokens == "method" ? methodCancel : enumeratorCancel).Cancel();
                Assert.That(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<OperationCanceledException>(), tokens);
                Assert.That(await enumerator.MoveNextAsync(), Is.False, tokens);
            }
            finally
            {
                await enumerator.DisposeAsync();
            }

            await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>As from an iterator: nothing is sent before the first step, and each enumeration is a call of its own.</summary>
    [Test]
    public async Task AStream_SendsNothingUntilEnumerated_AndEachEnumerationIsItsOwnCall()
    {
        var requests = 0;
        var body = Encoding.UTF8.GetBytes(Body("openai_sse"));
        var path = _server.Route(async context =>
        {
            Interlocked.Increment(ref requests);
            await LoopbackServer.WriteAsync(context, body, WritePattern.PerEvent, "text/event-stream");
        });
        var client = Client(path);

        var stream = client.StreamAsync(new LlmRequest { Call = "openai_sse" });
        var updates = client.StreamUpdatesAsync(new LlmRequest { Call = "openai_sse" });
        var unread = client.StreamAsync(null!);
        Assert.That(Volatile.Read(ref requests), Is.Zero);

        Assert.That(await StreamResponses.CollectAsync(stream), Is.EqualTo(Pieces));
        Assert.That(await StreamResponses.CollectAsync(stream), Is.EqualTo(Pieces));
        Assert.That((await StreamResponses.CollectAsync(updates)).Where(t => t.Length > 0), Is.EqualTo(Pieces));
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(3));

        // An argument error surfaces at the first step, as an iterator's would, and sends nothing.
        await using var enumerator = unread.GetAsyncEnumerator();
        Assert.That(async () => await enumerator.MoveNextAsync(), Throws.ArgumentNullException);
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(3));
    }

    [Test]
    public async Task MillionChunkStream_KeepsMemoryFlat()
    {
        const int Chunks = 1_000_000;
        const int Batch = 2_000;
        var path = _server.Route(async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            var line = "{\"message\":{\"content\":\"x\"},\"done\":false}\n"u8.ToArray();
            var batch = new byte[line.Length * Batch];
            for (var i = 0; i < Batch; i++)
            {
                line.CopyTo(batch, i * line.Length);
            }

            for (var sent = 0; sent < Chunks; sent += Batch)
            {
                await context.Response.Body.WriteAsync(batch, context.RequestAborted);
            }
        });

        long count = 0;
        long heapAt100K = 0;
        long heapAtEnd = 0;
        await foreach (var piece in Client(path).StreamAsync(new LlmRequest { Call = "ollama" }))
        {
            count++;
            if (count == 100_000)
            {
                heapAt100K = GC.GetTotalMemory(forceFullCollection: true);
            }
            else if (count == Chunks)
            {
                heapAtEnd = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        Assert.That(count, Is.EqualTo(Chunks));
        Assert.That(heapAtEnd - heapAt100K, Is.LessThan(2 * 1024 * 1024), "the live heap does not grow with the length of the stream");
    }

    [Test]
    public async Task BreakingOut_ClosesTheConnection_AtOnce_InsteadOfDrainingIt()
    {
        // The server sends three events and then holds the response open, as a vendor still generating would. Disposing a
        // response alone makes SocketsHttpHandler drain it for up to ResponseDrainTimeout (2 s) before it closes; the
        // vendor must see the disconnect at once, so the wait below is well under that and fails when the stream drains.
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var path = ServeFirstEvents(3, async (context, _) =>
        {
            using var registration = context.RequestAborted.Register(() => aborted.TrySetResult());
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });

        var received = new List<string>();
        await foreach (var piece in Client(path).StreamAsync(new LlmRequest { Call = "openai_sse" }))
        {
            received.Add(piece);
            if (received.Count == 1)
            {
                break;
            }
        }

        Assert.That(received, Is.EqualTo(Pieces[..1]));
        Assert.That(await Task.WhenAny(aborted.Task, Task.Delay(TimeSpan.FromSeconds(1.5))), Is.SameAs(aborted.Task), "the server saw no disconnect before the drain time");
    }

    [Test]
    public async Task StreamTimeout_BoundsTheWholeStream()
    {
        // Chunks keep coming (so the idle timeout never fires), but the whole stream is bounded by StreamTimeout.
        var chunk = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n");
        var path = _server.Route(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 100_000 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                try
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        var time = new ManualTimeProvider();
        var limit = TimeSpan.FromSeconds(30);
        var client = Client(path, p => p.StreamTimeout = limit, time);
        var received = 0;
        var e = Assert.ThrowsAsync<LlmStreamException>(async () =>
        {
            await foreach (var piece in client.StreamAsync(new LlmRequest { Call = "openai_sse" }))
            {
                if (++received == 10)
                {
                    time.Advance(limit + TimeSpan.FromSeconds(1)); // the consumer is past the deadline
                }
            }
        })!;
        Assert.That(e.Message, Does.Contain("StreamTimeout").And.Contain("30 s"));
        Assert.That(received, Is.GreaterThanOrEqualTo(10).And.LessThan(100_000));
    }

    [Test]
    public void CallAsync_OnAnEndlessStream_FailsAtMaxResponseBytes_InsteadOfGrowing()
    {
        var chunk = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"0123456789\"}}]}\n\n");
        var path = _server.Route(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 1_000_000 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                try
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        var e = Assert.ThrowsAsync<LlmStreamException>(async () => await Client(path, p => p.MaxResponseBytes = 100_000).CallAsync(new LlmRequest { Call = "openai_sse" }))!;
        Assert.That(e.Message, Does.Contain("MaxResponseBytes (100000)"));
        Assert.That(e.ReceivedText.Length, Is.EqualTo(100_000));
    }

    /// <summary>
    /// A route that answers the <c>openai_sse</c> stream's first <paramref name="events"/> events, flushed, and then does
    /// <paramref name="then"/> with the rest of the body (a stall, a disconnect, the rest when released).
    /// </summary>
    private string ServeFirstEvents(int events, Func<HttpContext, ReadOnlyMemory<byte>, Task> then)
    {
        var body = Encoding.UTF8.GetBytes(Body("openai_sse"));
        var end = IndexAfterEvents(body, events);
        return _server.Route(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.Body.WriteAsync(body.AsMemory(0, end));
            await context.Response.Body.FlushAsync();
            await then(context, body.AsMemory(end));
        });
    }

    private static int IndexAfterEvents(byte[] body, int events)
    {
        var at = 0;
        for (var i = 0; i < events; i++)
        {
            at = body.AsSpan(at).IndexOf("\n\n"u8) + at + 2;
        }

        return at;
    }
}
