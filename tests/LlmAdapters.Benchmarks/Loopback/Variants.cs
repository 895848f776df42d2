using System.ClientModel;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using LlmAdapters.Benchmarks.Support;
using OpenAI;
using OpenAI.Chat;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>One way of talking to the loopback server: stream N chunks, or one non-streaming completion.</summary>
public interface IVariant : IDisposable
{
    string Name { get; }

    /// <summary>Streams the answer of <paramref name="model"/>: "bench-N" is N chunks (see <see cref="BenchServer"/>).</summary>
    IAsyncEnumerable<string> StreamAsync(string model, CancellationToken cancellationToken = default);

    Task<string> CompleteAsync(CancellationToken cancellationToken = default);
}

internal static class Conversation
{
    public static readonly List<LlmMessage> Messages = [LlmMessage.System("You are a helpful assistant."), LlmMessage.User("请写一段关于流式输出的长文 🙂")];

    public static string Model(int chunks) => "bench-" + chunks.ToString(CultureInfo.InvariantCulture);

    public static string FlatModel(int chunks) => "bench-flat-" + chunks.ToString(CultureInfo.InvariantCulture);
}

/// <summary>HttpClient + the hand-written SSE parser of <see cref="HandWritten"/>.</summary>
public sealed class HandWrittenVariant(string baseUrl) : IVariant
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };

    public string Name => "hand-written";

    public async IAsyncEnumerable<string> StreamAsync(string model, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = Request(model, stream: true);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using (body)
        {
            await foreach (var piece in HandWritten.OpenAiSseAsync(body, cancellationToken: cancellationToken))
            {
                yield return piece;
            }
        }
    }

    public async Task<string> CompleteAsync(CancellationToken cancellationToken = default)
    {
        using var request = Request("bench-sync", stream: false);
        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return HandWritten.OpenAiCompletionText(bytes) ?? throw new InvalidDataException("no choices[0].message.content");
    }

    private static HttpRequestMessage Request(string model, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new ReadOnlyMemoryContent(HandWritten.OpenAiRequestBody(model, Conversation.Messages, stream)) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        return request;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>LlmAdapters with adapters/openai.json: <c>chat</c> through StreamAsync, <c>chat_sync</c> through CallAsync.</summary>
public sealed class LlmAdaptersVariant(LlmCatalog catalog, string baseUrl) : IVariant
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
    private ILlmClient? _client;

    public string Name => "LlmAdapters";

    private ILlmClient Client => _client ??= catalog.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = baseUrl, Variables = { ["apikey"] = "k", ["model"] = "m" } }, _http);

    public IAsyncEnumerable<string> StreamAsync(string model, CancellationToken cancellationToken = default)
        => Client.StreamAsync(new LlmRequest { Messages = Conversation.Messages, Model = model }, cancellationToken);

    public async Task<string> CompleteAsync(CancellationToken cancellationToken = default)
        => (await Client.CallAsync(new LlmRequest { Call = "chat_sync", Messages = Conversation.Messages, Model = "bench-sync" }, cancellationToken)).Text;

    public void Dispose() => _http.Dispose();
}

/// <summary>The official OpenAI .NET SDK (2.15.0) with its default transport, as its README shows.</summary>
public sealed class SdkVariant(string baseUrl) : IVariant
{
    private static readonly List<ChatMessage> Messages = [.. Conversation.Messages.Select(m => m.Role == "system" ? (ChatMessage)new SystemChatMessage(m.Content) : new UserChatMessage(m.Content))];
    private readonly ConcurrentDictionary<string, ChatClient> _clients = new(StringComparer.Ordinal);

    public string Name => "OpenAI SDK";

    private ChatClient Client(string model) => _clients.GetOrAdd(model, m => new ChatClient(m, new ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = new Uri(baseUrl) }));

    public async IAsyncEnumerable<string> StreamAsync(string model, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in Client(model).CompleteChatStreamingAsync(Messages, cancellationToken: cancellationToken))
        {
            // As the other two, yield only non-empty text (the role chunk and the usage chunk have none).
            var parts = update.ContentUpdate;
            var text = parts.Count switch
            {
                0 => null,
                1 => parts[0].Text,
                _ => string.Concat(parts.Select(p => p.Text)),
            };
            if (!string.IsNullOrEmpty(text))
            {
                yield return text;
            }
        }
    }

    public async Task<string> CompleteAsync(CancellationToken cancellationToken = default)
    {
        ChatCompletion completion = await Client("bench-sync").CompleteChatAsync(Messages, cancellationToken: cancellationToken);
        return completion.Content[0].Text;
    }

    public void Dispose()
    {
    }
}
