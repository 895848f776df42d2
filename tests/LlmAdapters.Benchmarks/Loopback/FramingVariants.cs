using System.ClientModel;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using LlmAdapters.Benchmarks.Support;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>One client of one wire in the framings benchmark: streams the text of "bench-N" (N pieces).</summary>
public interface IFramingVariant : IDisposable
{
    string Name { get; }

    /// <summary>What the variant is compared with: "hand" (the baseline), "library" (LlmAdapters' StreamAsync) or another name.</summary>
    string Kind { get; }

    Wire Wire { get; }

    IAsyncEnumerable<string> StreamAsync(int chunks, CancellationToken cancellationToken = default);
}

/// <summary>
/// HttpClient, a request body written with Utf8JsonWriter, and the hand-written parser of the wire (<see cref="HandWritten"/>):
/// as a good engineer writes it, stopping at each chunk's text, or, with <paramref name="toEnd"/>, reading each chunk to its
/// end as issue 20's exactness constraint has the library do (<see cref="Parse"/>).
/// </summary>
public sealed class HandWrittenFraming(Wire wire, string serverUrl, bool toEnd = false) : IFramingVariant
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };

    public string Name => toEnd ? "hand-written, each chunk to its end" : "hand-written";

    public string Kind => toEnd ? "handend" : "hand";

    public Wire Wire => wire;

    public async IAsyncEnumerable<string> StreamAsync(int chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = Conversation.Model(chunks);
        var (path, body) = wire switch
        {
            Wire.OpenAiSse => ("/v1/chat/completions", HandWritten.OpenAiRequestBody(model, Conversation.Messages, stream: true)),
            Wire.AnthropicSse => ("/anthropic/v1/messages", Body(model, w => w.WriteNumber("max_tokens", 1024))),
            Wire.GeminiSse => ($"/gemini/v1beta/models/{model}:streamGenerateContent?alt=sse", GeminiBody()),
            Wire.GeminiJsonArray => ($"/gemini/v1beta/models/{model}:streamGenerateContent", GeminiBody()),
            Wire.OllamaNdjson => ("/ollama/api/chat", Body(model, null)),
            Wire.DashScopeSse or Wire.DashScopeCumulativeSse => ("/dashscope/api/v1/services/aigc/text-generation/generation", DashScopeBody(model, wire == Wire.DashScopeSse)),
            Wire.RawText => ("/espai/v1/llm", Body(model, null)),
            Wire.AwsEventStream => ($"/bedrock/model/{model}/converse-stream", BedrockBody()),
            _ => throw new InvalidOperationException("unknown wire " + wire),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, serverUrl + path) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using (stream)
        {
            await foreach (var piece in Parse(wire, stream, toEnd, cancellationToken))
            {
                yield return piece;
            }
        }
    }

    /// <summary>
    /// The hand-written parser of <paramref name="wire"/> over a response body (<see cref="HandWritten"/>); with
    /// <paramref name="toEnd"/>, held to issue 20's exactness constraint: each chunk read to its end after its text, so
    /// that a malformed chunk throws. Raw text has no chunks to read to their end.
    /// </summary>
    public static IAsyncEnumerable<string> Parse(Wire wire, Stream body, bool toEnd = false, CancellationToken cancellationToken = default) => wire switch
    {
        Wire.OpenAiSse => HandWritten.OpenAiSseAsync(body, toEnd, cancellationToken),
        Wire.AnthropicSse => HandWritten.AnthropicSseAsync(body, toEnd, cancellationToken),
        Wire.GeminiSse => HandWritten.GeminiSseAsync(body, toEnd, cancellationToken),
        Wire.GeminiJsonArray => HandWritten.GeminiJsonArrayAsync(body, toEnd, cancellationToken),
        Wire.OllamaNdjson => HandWritten.OllamaNdjsonAsync(body, toEnd, cancellationToken),
        Wire.DashScopeSse => HandWritten.DashScopeSseAsync(body, toEnd, cancellationToken),
        Wire.DashScopeCumulativeSse => HandWritten.DashScopeCumulativeSseAsync(body, toEnd, cancellationToken),
        Wire.RawText => toEnd ? throw new ArgumentException("raw text has no chunks to read to their end", nameof(toEnd)) : HandWritten.RawTextAsync(body, cancellationToken),
        Wire.AwsEventStream => HandWritten.BedrockEventStreamAsync(body, toEnd, cancellationToken),
        _ => throw new InvalidOperationException("unknown wire " + wire),
    };

    private static ReadOnlyMemory<byte> Body(string model, Action<Utf8JsonWriter>? more) => Write(w =>
    {
        w.WriteString("model", model);
        Messages(w, "messages");
        more?.Invoke(w);
        w.WriteBoolean("stream", true);
    });

    private static ReadOnlyMemory<byte> GeminiBody() => Write(w =>
    {
        w.WriteStartArray("contents");
        foreach (var m in Conversation.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role == "assistant" ? "model" : "user");
            w.WriteStartArray("parts");
            w.WriteStartObject();
            w.WriteString("text", m.Content);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    // A hand-written Bedrock client signs its requests too; over loopback the upstream does not check, and one signature
    // per stream is noise next to 20,000 messages: the baseline sends the Converse body unsigned.
    private static ReadOnlyMemory<byte> BedrockBody() => Write(w =>
    {
        w.WriteStartArray("messages");
        foreach (var m in Conversation.Messages.Where(m => m.Role != "system"))
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("text", m.Content);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static ReadOnlyMemory<byte> DashScopeBody(string model, bool incremental) => Write(w =>
    {
        w.WriteString("model", model);
        w.WriteStartObject("input");
        Messages(w, "messages");
        w.WriteEndObject();
        w.WriteStartObject("parameters");
        w.WriteString("result_format", "message");
        w.WriteBoolean("incremental_output", incremental);
        w.WriteEndObject();
    });

    private static void Messages(Utf8JsonWriter w, string name)
    {
        w.WriteStartArray(name);
        foreach (var m in Conversation.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            w.WriteString("content", m.Content);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static ReadOnlyMemory<byte> Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// LlmAdapters with a shipped adapter: StreamAsync, or StreamUpdatesAsync reading each update's finish reason too, or its
/// IChatClient; or the floor under any IChatClient over StreamUpdatesAsync (<see cref="Mode.ChatFloor"/>).
/// </summary>
public sealed class LibraryFraming : IFramingVariant
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ILlmClient _client;
    private readonly IChatClient _chat;
    private readonly string _call;
    private readonly Mode _mode;

    public enum Mode
    {
        Stream,
        Updates,
        ChatClient,

        /// <summary>
        /// Not a client: what Microsoft.Extensions.AI's types cost alone. StreamUpdatesAsync as in <see cref="Updates"/>, and
        /// per update the least an IChatClient must make, a ChatResponseUpdate holding a TextContent (in an array, which
        /// cannot grow), its text read back; nothing else mapped. LlmAdapters' IChatClient ÷ this is what its own mapping
        /// costs; this ÷ StreamUpdatesAsync is what no IChatClient over it can save.
        /// </summary>
        ChatFloor,
    }

    public LibraryFraming(LlmCatalog catalog, Wire wire, string serverUrl, Mode mode = Mode.Stream)
    {
        Wire = wire;
        _mode = mode;
        var (adapter, prefix, call) = wire switch
        {
            Wire.OpenAiSse => ("openai", "/v1", "chat"),
            Wire.AnthropicSse => ("anthropic", "/anthropic", "chat"),
            Wire.GeminiSse => ("gemini", "/gemini", "chat"),
            Wire.GeminiJsonArray => ("gemini-array", "/gemini", "chat"),
            Wire.OllamaNdjson => ("ollama", "/ollama", "chat"),
            Wire.DashScopeSse => ("dashscope", "/dashscope", "chat"),
            Wire.DashScopeCumulativeSse => ("dashscope", "/dashscope", "chat_cumulative"),
            Wire.RawText => ("espai", "/espai", "chat"),
            Wire.AwsEventStream => ("bedrock", "/bedrock", "chat"),
            _ => throw new InvalidOperationException("unknown wire " + wire),
        };
        _call = call;
        _client = catalog.CreateClient(new LlmProfile { Adapter = adapter, BaseUrl = serverUrl + prefix, Variables = { ["apikey"] = "k", ["model"] = "m", ["region"] = "us-east-1", ["aws_access_key_id"] = "AKIDEXAMPLE", ["aws_secret_access_key"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" } }, _http);
        _chat = _client.AsIChatClient(call);
    }

    public string Name => _mode switch
    {
        Mode.Stream => "LlmAdapters StreamAsync",
        Mode.Updates => "LlmAdapters StreamUpdatesAsync",
        Mode.ChatClient => "LlmAdapters IChatClient",
        Mode.ChatFloor => "floor: StreamUpdatesAsync + ChatResponseUpdate and TextContent",
        _ => throw new InvalidOperationException(),
    };

    public string Kind => _mode switch
    {
        Mode.Stream => "library",
        Mode.Updates => "updates",
        Mode.ChatClient => "chatclient",
        Mode.ChatFloor => "chatfloor",
        _ => throw new InvalidOperationException(),
    };

    public Wire Wire { get; }

    /// <summary>The finish reason the last StreamUpdatesAsync stream reported (read on every update, as a consumer watching for the end does).</summary>
    public string? LastFinishReason { get; private set; }

    public async IAsyncEnumerable<string> StreamAsync(int chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new LlmRequest { Call = _call, Messages = Conversation.Messages, Model = Conversation.Model(chunks) };
        switch (_mode)
        {
            case Mode.Stream:
                await foreach (var piece in _client.StreamAsync(request, cancellationToken))
                {
                    yield return piece;
                }

                break;
            case Mode.Updates:
                await foreach (var update in _client.StreamUpdatesAsync(request, cancellationToken))
                {
                    if (update.FinishReason is { } reason)
                    {
                        LastFinishReason = reason;
                    }

                    if (update.Text.Length > 0)
                    {
                        yield return update.Text;
                    }
                }

                break;
            case Mode.ChatFloor:
                await foreach (var update in _client.StreamUpdatesAsync(request, cancellationToken))
                {
                    if (update.FinishReason is { } reason)
                    {
                        LastFinishReason = reason;
                    }

                    var text = ChatFloor.Of(update).Text;
                    if (text.Length > 0)
                    {
                        yield return text;
                    }
                }

                break;
            case Mode.ChatClient:
                await foreach (var update in _chat.GetStreamingResponseAsync(ChatMessages.Of(Conversation.Messages), new ChatOptions { ModelId = request.Model }, cancellationToken))
                {
                    var text = update.Text;
                    if (text.Length > 0)
                    {
                        yield return text;
                    }
                }

                break;
            default:
                throw new InvalidOperationException();
        }
    }

    public void Dispose()
    {
        _chat.Dispose();
        _http.Dispose();
    }
}

/// <summary>The least a ChatResponseUpdate of one update can be (see <see cref="LibraryFraming.Mode.ChatFloor"/>).</summary>
internal static class ChatFloor
{
    public static ChatResponseUpdate Of(LlmStreamUpdate update) => new(ChatRole.Assistant, new AIContent[] { new TextContent(update.Text) }) { RawRepresentation = update };
}

/// <summary>The conversation as Microsoft.Extensions.AI messages.</summary>
internal static class ChatMessages
{
    public static List<ChatMessage> Of(IEnumerable<LlmMessage> messages)
        => [.. messages.Select(m => new ChatMessage(m.Role == "system" ? ChatRole.System : m.Role == "assistant" ? ChatRole.Assistant : ChatRole.User, m.Content))];
}

/// <summary>Microsoft.Extensions.AI.OpenAI's IChatClient over the OpenAI SDK (AsIChatClient), on the OpenAI wire.</summary>
public sealed class MeaiOpenAiFraming(string serverUrl) : IFramingVariant
{
    private static readonly List<ChatMessage> Messages = ChatMessages.Of(Conversation.Messages);
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);

    public string Name => "MEAI.OpenAI IChatClient";

    public string Kind => "meai";

    public Wire Wire => Wire.OpenAiSse;

    public async IAsyncEnumerable<string> StreamAsync(int chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = _clients.GetOrAdd(Conversation.Model(chunks), m => new OpenAI.Chat.ChatClient(m, new ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = new Uri(serverUrl + "/v1") }).AsIChatClient());
        await foreach (var update in client.GetStreamingResponseAsync(Messages, cancellationToken: cancellationToken))
        {
            var text = update.Text;
            if (text.Length > 0)
            {
                yield return text;
            }
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients.Values)
        {
            c.Dispose();
        }
    }
}

/// <summary>The official OpenAI .NET SDK on the OpenAI wire (the same client as the loopback benchmark's).</summary>
public sealed class OpenAiSdkFraming(string serverUrl) : IFramingVariant
{
    private readonly SdkVariant _sdk = new(serverUrl + "/v1");

    public string Name => "OpenAI SDK";

    public string Kind => "sdk";

    public Wire Wire => Wire.OpenAiSse;

    public IAsyncEnumerable<string> StreamAsync(int chunks, CancellationToken cancellationToken = default) => _sdk.StreamAsync(Conversation.Model(chunks), cancellationToken);

    public void Dispose() => _sdk.Dispose();
}

/// <summary>The official Anthropic .NET SDK (Anthropic 13.15.0) on the Anthropic wire, as its README streams: text deltas of content_block_delta events.</summary>
public sealed class AnthropicSdkFraming(string serverUrl) : IFramingVariant
{
    private readonly AnthropicClient _client = new() { ApiKey = "k", BaseUrl = serverUrl + "/anthropic", MaxRetries = 0 };

    public string Name => "Anthropic SDK";

    public string Kind => "sdk";

    public Wire Wire => Wire.AnthropicSse;

    public async IAsyncEnumerable<string> StreamAsync(int chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var parameters = new MessageCreateParams
        {
            MaxTokens = 1024,
            Model = Conversation.Model(chunks),
            System = Conversation.Messages[0].Content,
            Messages = [new UserMessageParam { Content = Conversation.Messages[1].Content }],
        };
        await foreach (var e in _client.Messages.CreateStreaming(parameters, cancellationToken))
        {
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text) && text.Text.Length > 0)
            {
                yield return text.Text;
            }
        }
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>OllamaSharp (5.5.2) on the Ollama wire: OllamaApiClient.ChatAsync, message content of each streamed response.</summary>
public sealed class OllamaSharpFraming(string serverUrl) : IFramingVariant
{
    private readonly OllamaApiClient _client = new(new Uri(serverUrl + "/ollama/"));

    public string Name => "OllamaSharp";

    public string Kind => "sdk";

    public Wire Wire => Wire.OllamaNdjson;

    public async IAsyncEnumerable<string> StreamAsync(int chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new OllamaSharp.Models.Chat.ChatRequest
        {
            Model = Conversation.Model(chunks),
            Stream = true,
            Messages = [.. Conversation.Messages.Select(m => new OllamaSharp.Models.Chat.Message(m.Role == "system" ? OllamaSharp.Models.Chat.ChatRole.System : OllamaSharp.Models.Chat.ChatRole.User, m.Content))],
        };
        await foreach (var response in _client.ChatAsync(request, cancellationToken))
        {
            if (response?.Message?.Content is { Length: > 0 } text)
            {
                yield return text;
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
