using System.Net;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmAdapters.Tests.ChatClient;

public class LlmChatClientTests
{
    private static ILlmClient OpenAi(RecordingHandler handler) => LlmCatalog.BuiltIn.CreateClient(
        new LlmProfile { Adapter = "openai", BaseUrl = "https://api.moonshot.cn/v1", Variables = { ["apikey"] = "sk-chat", ["model"] = "moonshot-v1-8k" } },
        handler.Mock);

    [Test]
    public async Task GetResponseAsync_MapsMessagesAndOptions_AndTheAnswer()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["你好", "！"]));
        IChatClient chat = OpenAi(handler).AsIChatClient();

        var response = await chat.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "你好")],
            new ChatOptions
            {
                ModelId = "kimi-k2",
                MaxOutputTokens = 100,
                Temperature = 0.5f,
                TopP = 0.9f,
                StopSequences = ["\n\n"],
                Instructions = "简短回答",
                AdditionalProperties = new AdditionalPropertiesDictionary { ["organization"] = "org-1" },
            });

        Json.AssertEqual("""
            {
              "model": "kimi-k2",
              "messages": [ { "role": "system", "content": "简短回答" }, { "role": "user", "content": "你好" } ],
              "max_tokens": 100, "temperature": 0.5, "top_p": 0.9, "stop": ["\n\n"],
              "stream": true, "stream_options": { "include_usage": true }
            }
            """, handler.Last.Body!);
        Assert.That(handler.Last.Headers["OpenAI-Organization"], Is.EqualTo("org-1"), "AdditionalProperties become variables");
        Assert.That(response.Text, Is.EqualTo("你好！"));
        Assert.That(response.Messages.Single().Role, Is.EqualTo(ChatRole.Assistant));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        Assert.That(response.ModelId, Is.EqualTo("m"));
        Assert.That(response.ResponseId, Is.EqualTo("c1"));
        Assert.That((response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, response.Usage?.TotalTokenCount), Is.EqualTo((5L, 7L, 12L)));
    }

    [Test]
    public async Task Seed_AndPenalties_GoToACallThatSendsThem()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["ok"]));
        IChatClient chat = OpenAi(handler).AsIChatClient();

        await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Seed = 42, FrequencyPenalty = 0.5f, PresencePenalty = -0.25f });

        Json.AssertEqual("""
            {
              "model": "moonshot-v1-8k",
              "messages": [ { "role": "user", "content": "hi" } ],
              "seed": 42, "frequency_penalty": 0.5, "presence_penalty": -0.25,
              "stream": true, "stream_options": { "include_usage": true }
            }
            """, handler.Last.Body!);
    }

    [TestCase("TopK")]
    [TestCase("Temperature")]
    [TestCase("MaxOutputTokens")]
    [TestCase("StopSequences")]
    [TestCase("Seed")]
    public void AnOption_TheCallHasNoPlaceFor_IsAnError_BeforeAnythingIsSent(string option)
    {
        // espai's chat sends the messages, the model and the key: nothing else.
        var handler = StreamResponses.Body("ok");
        IChatClient chat = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "espai", BaseUrl = "https://espai.test", Variables = { ["apikey"] = "k" } }, handler.Mock).AsIChatClient();
        var options = option switch
        {
            "TopK" => new ChatOptions { TopK = 5 },
            "Temperature" => new ChatOptions { Temperature = 0.1f },
            "MaxOutputTokens" => new ChatOptions { MaxOutputTokens = 10 },
            "StopSequences" => new ChatOptions { StopSequences = ["x"] },
            _ => new ChatOptions { Seed = 1 },
        };

        var e = Assert.ThrowsAsync<LlmRequestException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options))!;
        Assert.That(e.Message, Does.Contain($"ChatOptions.{option}").And.Contain("call 'chat'").And.Contain("nothing was sent"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void AudioContent_IsAnError_NotLeftOut()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["ok"]));
        IChatClient chat = OpenAi(handler).AsIChatClient();
        var message = new ChatMessage(ChatRole.User, [new TextContent("listen"), new DataContent(new byte[] { 1, 2, 3 }, "audio/wav")]);

        var e = Assert.ThrowsAsync<LlmRequestException>(() => chat.GetResponseAsync([message]))!;
        Assert.That(e.Message, Does.Contain("audio/wav").And.Contain("nothing was sent"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task Streaming_CarriesIdsFinishReasonAndUsage_AndToChatResponseJoinsThem()
    {
        IChatClient chat = OpenAi(StreamResponses.Body(StreamResponses.OpenAi(["一", "二", "三"]))).AsIChatClient();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]))
        {
            updates.Add(update);
        }

        Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "一", "二", "三", "", "" }));
        Assert.That(updates.Select(u => u.ResponseId), Is.All.EqualTo("c1"));
        Assert.That(updates.Select(u => u.ModelId), Is.All.EqualTo("m"));
        Assert.That(updates[3].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        Assert.That(updates[4].Contents.OfType<UsageContent>().Single().Details.TotalTokenCount, Is.EqualTo(12));

        var joined = updates.ToChatResponse();
        Assert.That(joined.Text, Is.EqualTo("一二三"));
        Assert.That(joined.Usage?.TotalTokenCount, Is.EqualTo(12));
        Assert.That(joined.FinishReason, Is.EqualTo(ChatFinishReason.Stop));

        var viaHelper = await chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).ToChatResponseAsync();
        Assert.That(viaHelper.Text, Is.EqualTo("一二三"));
    }

    [Test]
    public async Task Streaming_OverTheLibrarysClient_AndOverAnyOtherClient_GivesTheSameUpdates_OnEveryEnumeration()
    {
        // Over the library's own client the updates are mapped inside the stream's loop; over any other ILlmClient (a
        // decorator of the user's) through an iterator. Both must give the same updates, and each enumeration is a new
        // request with its own running response id and model.
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["一", "二", "三"]));
        var engine = OpenAi(handler);
        var direct = engine.AsIChatClient().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]);
        var decorated = new Decorator(engine).AsIChatClient().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]);

        var first = await Describe(direct);
        var second = await Describe(direct);
        var other = await Describe(decorated);

        Assert.That(first, Has.Count.EqualTo(5));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(other, Is.EqualTo(first));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));

        static async Task<List<string>> Describe(IAsyncEnumerable<ChatResponseUpdate> updates)
        {
            var described = new List<string>();
            await foreach (var update in updates)
            {
                described.Add($"{update.Text}|{update.ResponseId}|{update.ModelId}|{update.FinishReason}|{update.Contents.OfType<UsageContent>().SingleOrDefault()?.Details.TotalTokenCount}");
            }

            return described;
        }
    }

    [Test]
    public async Task Streaming_EachUpdatesModelAndId_AreItsChunks_WhenTheyChangeMidStream_OrAreTheText()
    {
        // A chunk whose model changes (a router switching models) gives the new one from that chunk on, an id that comes
        // late is taken when it comes, and a model that is the text item (the first, where no item is named content or
        // text) is each update's text.
        static string Chunk(string? id, string model, string piece)
            => $"data: {{{(id is null ? string.Empty : $"\"id\":\"{id}\",")}\"object\":\"chat.completion.chunk\",\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{piece}\"}},\"finish_reason\":null}}]}}\n\n";
        var body = Chunk(null, "m-a", "一") + Chunk("c1", "m-a", "二") + Chunk("c1", "m-a", "三") + Chunk("c1", "m-b", "四") + Chunk("c1", "m-b", "五") + "data: [DONE]\n\n";
        foreach (var client in new[] { OpenAi(StreamResponses.Body(body)), new Decorator(OpenAi(StreamResponses.Body(body))) })
        {
            var updates = await client.AsIChatClient().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).ToListAsync();
            Assert.That(updates.Select(u => $"{u.Text}|{u.ResponseId}|{u.ModelId}"), Is.EqualTo(new[] { "一||m-a", "二|c1|m-a", "三|c1|m-a", "四|c1|m-b", "五|c1|m-b" }), client.GetType().Name);
        }

        var echo = LlmCatalog.FromJson(
            """
            { "name": "echo", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [
              { "name": "model", "value": "choices[0].delta.content" }, { "name": "id", "value": "id" } ] } }
            """, "echo.json").CreateClient(new LlmProfile { Adapter = "echo", BaseUrl = "https://vendor.test" }, StreamResponses.Body(body).Mock);
        var echoed = await echo.AsIChatClient().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).ToListAsync();
        Assert.That(echoed.Select(u => $"{u.Text}|{u.ModelId}"), Is.EqualTo(new[] { "一|一", "二|二", "三|三", "四|四", "五|五" }));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Streaming_ThroughUseDistributedCache_IsCachedAndReplayed_WithItsContents(bool coalesce)
    {
        // The cache serializes the streamed updates (whose contents hold their one item in place) and replays them: the
        // second stream is the first's, from the cache, with its text, usage and finish reason.
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["一", "二", "三"]));
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var chat = new ChatClientBuilder(OpenAi(handler).AsIChatClient()).UseDistributedCache(cache, c => c.CoalesceStreamingUpdates = coalesce).Build();

        var first = await chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).ToListAsync();
        var second = await chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).ToListAsync();

        Assert.That(handler.Requests, Has.Count.EqualTo(1), "the second stream came from the cache");
        Assert.That(string.Concat(second.Select(u => u.Text)), Is.EqualTo("一二三"));
        Assert.That(string.Concat(first.Select(u => u.Text)), Is.EqualTo("一二三"));
        Assert.That(second.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.TotalTokenCount, Is.EqualTo(first.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.TotalTokenCount));
        Assert.That(second.Select(u => u.FinishReason).Last(r => r is not null), Is.EqualTo(ChatFinishReason.Stop));
    }

    [Test]
    public async Task Streaming_AModelThatIsAnIntegerChangingInEveryChunk_IsEachChunksOwn()
    {
        // Chunks that differ only in integers share one snapshot of their values, each with its own integers (a patch):
        // the chat client reads a value again unless the update before had the same snapshot and the same integers.
        static string Chunk(int tokens, string piece)
            => $"data: {{\"output\":{{\"text\":\"{piece}\"}},\"usage\":{{\"output_tokens\":{tokens},\"input_tokens\":7}},\"request_id\":\"r1\"}}\n\n";
        var body = Chunk(11, "一") + Chunk(12, "二") + Chunk(12, "三") + Chunk(130, "四") + Chunk(131, "五");
        var client = LlmCatalog.FromJson(
            """
            { "name": "counting", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [
              { "name": "content", "value": "output.text" }, { "name": "model", "value": "usage.output_tokens" }, { "name": "id", "value": "request_id" } ] } }
            """, "counting.json").CreateClient(new LlmProfile { Adapter = "counting", BaseUrl = "https://vendor.test" }, StreamResponses.Body(body).Mock);

        var updates = await client.AsIChatClient().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).ToListAsync();

        Assert.That(updates.Select(u => $"{u.Text}|{u.ResponseId}|{u.ModelId}"), Is.EqualTo(new[] { "一|r1|11", "二|r1|12", "三|r1|12", "四|r1|130", "五|r1|131" }));
        Assert.That(updates.Skip(1).Select(u => ((LlmStreamUpdate)u.RawRepresentation!).IsPatched), Has.Some.True, "the chunks were given as a shared snapshot and a patch");
    }

    [Test]
    public void Streaming_AContentTheCallCannotSend_FailsWhenEnumerated_AndNothingIsSent()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["ok"]));
        IChatClient chat = OpenAi(handler).AsIChatClient();
        var updates = chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("listen"), new DataContent(new byte[] { 1, 2, 3 }, "audio/wav")])]);

        var e = Assert.ThrowsAsync<LlmRequestException>(async () =>
        {
            await foreach (var update in updates)
            {
            }
        })!;
        Assert.That(e.Message, Does.Contain("audio/wav"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Streaming_IsCancelledByTheEnumeratorsToken()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["一", "二", "三"]));
        IChatClient chat = OpenAi(handler).AsIChatClient();
        using var cancel = new CancellationTokenSource();
        var seen = 0;

        Assert.That(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "数数")]).WithCancellation(cancel.Token))
            {
                seen++;
                cancel.Cancel();
            }
        }, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(seen, Is.EqualTo(1));
    }

    /// <summary>An ILlmClient of the user's that passes every call on.</summary>
    private sealed class Decorator(ILlmClient inner) : ILlmClient
    {
        public Task<LlmResponse> CallAsync(LlmRequest request, CancellationToken cancellationToken = default) => inner.CallAsync(request, cancellationToken);

        public IAsyncEnumerable<string> StreamAsync(LlmRequest request, CancellationToken cancellationToken = default) => inner.StreamAsync(request, cancellationToken);

        public IAsyncEnumerable<LlmStreamUpdate> StreamUpdatesAsync(LlmRequest request, CancellationToken cancellationToken = default) => inner.StreamUpdatesAsync(request, cancellationToken);
    }

    [Test]
    public async Task Images_InChatMessages_BecomeVisionContent()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["一只猫"]));
        IChatClient chat = OpenAi(handler).AsIChatClient();
        await chat.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("这是什么？"), new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new UriContent("https://x/cat.jpg", "image/jpeg")])]);
        Json.AssertEqual("""
            [ { "role": "user", "content": [
                { "type": "text", "text": "这是什么？" },
                { "type": "image_url", "image_url": { "url": "data:image/png;base64,AQID" } },
                { "type": "image_url", "image_url": { "url": "https://x/cat.jpg" } } ] } ]
            """, System.Text.Json.JsonDocument.Parse(handler.Last.Body!).RootElement.GetProperty("messages").GetRawText());
    }

    [Test]
    public void GetService_GivesMetadataAndTheUnderlyingClient()
    {
        var llm = OpenAi(StreamResponses.Body(""));
        IChatClient chat = llm.AsIChatClient();
        var metadata = chat.GetService<ChatClientMetadata>()!;
        Assert.That((metadata.ProviderName, metadata.ProviderUri?.AbsoluteUri, metadata.DefaultModelId), Is.EqualTo(("openai", "https://api.moonshot.cn/v1", "moonshot-v1-8k")));
        Assert.That(chat.GetService<ILlmClient>(), Is.SameAs(llm));
        Assert.That(chat.GetService<ChatClientMetadata>("key"), Is.Null);
    }

    [Test]
    public async Task UserMiddleware_WrapsTheChatClient()
    {
        IChatClient chat = new CountingClient(OpenAi(StreamResponses.Body(StreamResponses.OpenAi(["ok"]))).AsIChatClient());
        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        Assert.That(response.Text, Is.EqualTo("ok"));
        Assert.That(((CountingClient)chat).Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncCall_SupportsBackgroundResponses()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, """{"output":{"task_status":"PENDING","task_id":"t-7"},"request_id":"r"}"""),
            (HttpStatusCode.OK, """{"output":{"task_id":"t-7","task_status":"RUNNING"}}"""),
            (HttpStatusCode.OK, """{"output":{"task_id":"t-7","task_status":"SUCCEEDED","results":[{"url":"https://img/7.png"}]}}"""));
        var time = new ManualTimeProvider();
        var llm = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://dashscope.aliyuncs.com", Timeout = Timeout.InfiniteTimeSpan, Variables = { ["apikey"] = "k" } }, handler.Mock, time);
        IChatClient chat = llm.AsIChatClient("image");
        var options = new ChatOptions { AllowBackgroundResponses = true };

        var started = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "一只猫")], options);
        Assert.That(started.ContinuationToken, Is.Not.Null, "the submit returns at once with a token");
        Assert.That(started.Messages, Is.Empty);

        var (running, _) = await PollDriver.DriveAsync(time, () => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = started.ContinuationToken }));
        Assert.That(running.ContinuationToken, Is.Not.Null, "still running: poll again later");

        var (done, _) = await PollDriver.DriveAsync(time, () => chat.GetResponseAsync([], new ChatOptions { ContinuationToken = running.ContinuationToken }));
        Assert.That(done.ContinuationToken, Is.Null);
        Assert.That(done.Text, Is.EqualTo("https://img/7.png"));
        Assert.That(handler.Requests.Count(r => r.Method == HttpMethod.Post), Is.EqualTo(1), "one submit only");
    }

    [Test]
    public async Task KeyedServices_ResolveClientsByProfileName()
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o => o.Profiles["kimi"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://api.moonshot.cn/v1", Variables = { ["apikey"] = "k", ["model"] = "moonshot-v1-8k" } })
            .AddHttpClient("kimi").ConfigurePrimaryHttpMessageHandler(() => StreamResponses.Body(StreamResponses.OpenAi(["来自", "keyed"])).Mock);
        services.AddTransient<Consumer>();
        await using var provider = services.BuildServiceProvider();

        var consumer = provider.GetRequiredService<Consumer>();
        Assert.That((await consumer.Llm.CallAsync(new LlmRequest { Prompt = "hi" })).Text, Is.EqualTo("来自keyed"));
        Assert.That((await consumer.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")])).Text, Is.EqualTo("来自keyed"));
        Assert.That(() => provider.GetRequiredKeyedService<ILlmClient>("nope"), Throws.TypeOf<LlmConfigurationException>());
    }

    private sealed class Consumer([FromKeyedServices("kimi")] ILlmClient llm, [FromKeyedServices("kimi")] IChatClient chat)
    {
        public ILlmClient Llm { get; } = llm;

        public IChatClient Chat { get; } = chat;
    }

    private sealed class CountingClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public int Calls { get; private set; }

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
