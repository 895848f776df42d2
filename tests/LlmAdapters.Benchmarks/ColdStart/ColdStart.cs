using System.Diagnostics;
using System.Text.Json;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.ColdStart;

/// <summary>
/// What a process pays before its first call, each measured in a fresh process before anything else touches LlmAdapters
/// (<see cref="ColdStartRunner"/> starts the processes): the same four steps whether the runtime loads the package's
/// ReadyToRun image or, as on a platform it has none for, the JIT compiles everything.
/// </summary>
public static class ColdStart
{
    /// <summary>The kinds of first build, as <c>cold</c>'s argument names them.</summary>
    public static readonly string[] Kinds = ["folder", "shipped", "first-client", "first-call"];

    /// <summary>Runs one kind in this process and returns its milliseconds.</summary>
    public static async Task<double> MsAsync(string kind) => kind switch
    {
        "folder" => FolderBuildMs(),
        "shipped" => ShippedBuildMs(),
        "first-client" => FirstClientMs(),
        "first-call" => await FirstCallMsAsync(),
        _ => throw new ArgumentException($"Unknown kind of cold build '{kind}'; kinds: {string.Join(", ", Kinds)}."),
    };

    /// <summary>
    /// The shipped files as a user's folder (<c>AddDirectory(adapters)</c>): every file read, checked and compiled at load,
    /// as any file a user adds is.
    /// </summary>
    public static double FolderBuildMs()
    {
        var adapters = Repo.AdaptersDirectory;
        var stopwatch = Stopwatch.StartNew();
        var catalog = new LlmCatalogBuilder().AddDirectory(adapters).Build();
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return catalog.Adapters.Count > 1 ? ms : throw new InvalidOperationException("The folder build loaded no adapters.");
    }

    /// <summary>
    /// The catalog of the shipped adapters (<c>AddBuiltInAdapters()</c>, as <c>AddLlmAdapters()</c> and
    /// <c>LlmCatalog.BuiltIn</c> build it): each adapter, and the presets, waiting for their first use.
    /// </summary>
    public static double ShippedBuildMs()
    {
        var stopwatch = Stopwatch.StartNew();
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return catalog.Adapters.Count > 1 ? ms : throw new InvalidOperationException("The shipped build loaded no adapters.");
    }

    /// <summary>
    /// The shipped adapters' catalog and a first client of the <c>openai</c> adapter (the presets read, and its file read, checked and compiled):
    /// all an application's first call waits for but the call. The HttpClient is made before the clock starts; an
    /// application has one whatever it calls.
    /// </summary>
    public static double FirstClientMs()
    {
        using var http = new HttpClient();
        var stopwatch = Stopwatch.StartNew();
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        var client = catalog.CreateClient(new LlmProfile { Adapter = "openai", Variables = { ["apikey"] = "sk-cold", ["model"] = "gpt-4o-mini" } }, http);
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return client is not null && catalog.GetCalls("openai").Count > 0 ? ms : throw new InvalidOperationException("No client.");
    }

    /// <summary>
    /// <see cref="FirstClientMs"/> and the client's first answer (<c>CallAsync</c>), with the network taken out: the
    /// HttpClient's handler answers in this process with an OpenAI chat completion, so what is timed is the library's
    /// own first request and first answer (building the body, sending through the HttpClient, reading and mapping).
    /// </summary>
    public static async Task<double> FirstCallMsAsync()
    {
        using var http = new HttpClient(new CannedAnswer()) { BaseAddress = null };
        var stopwatch = Stopwatch.StartNew();
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        var client = catalog.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "http://127.0.0.1:9/v1", Variables = { ["apikey"] = "sk-cold", ["model"] = "gpt-4o-mini" } }, http);
        var answer = await client.CallAsync(new LlmRequest { Call = "chat_sync", Messages = [LlmMessage.User("Hello")] });
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return answer.Text == Loopback.BenchServer.SyncAnswer ? ms : throw new InvalidOperationException($"The first call answered '{answer.Text}'.");
    }

    /// <summary>
    /// The baseline under <see cref="FirstCallMsAsync"/>'s last step: a hand-written first request of the same chat call
    /// through the same kind of HttpClient and handler, its body written with Utf8JsonWriter and the answer read with
    /// JsonDocument, in a process where JSON has been parsed once before the clock starts (as the catalog's has). What it
    /// takes is the framework's first request, which any client pays.
    /// </summary>
    public static async Task<double> HandFirstCallMsAsync()
    {
        using var http = new HttpClient(new CannedAnswer());
        using (JsonDocument.Parse("{\"a\":[1,\"b\"]}")) { }
        var stopwatch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:9/v1/chat/completions") { Content = new ReadOnlyMemoryContent(Body()) };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-cold");
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var document = JsonDocument.Parse(bytes);
        var text = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return text == Loopback.BenchServer.SyncAnswer ? ms : throw new InvalidOperationException($"The hand-written first call answered '{text}'.");
    }

    /// <summary>
    /// A baseline inside <see cref="FirstClientMs"/>: the process's first <see cref="System.Diagnostics.Metrics.Meter"/>
    /// and an instrument, as a client's telemetry makes them (the runtime starts its metrics EventSource then). With
    /// <paramref name="afterRequest"/>, in a process that has sent one request through SocketsHttpHandler before the
    /// clock (to a closed port on 127.0.0.1), whose own Meter has started it: as in an application after its first HTTP
    /// request of any kind.
    /// </summary>
    public static async Task<double> MeterMsAsync(bool afterRequest)
    {
        if (afterRequest)
        {
            using var http = new HttpClient(new SocketsHttpHandler());
            try
            {
                using var refused = await http.GetAsync(new Uri("http://127.0.0.1:9/"));
            }
            catch (HttpRequestException)
            {
                // (refused, as meant: the request went through the handler)
            }
        }

        var stopwatch = Stopwatch.StartNew();
        using var meter = new System.Diagnostics.Metrics.Meter("LlmAdapters.Benchmarks.ColdStart");
        var histogram = meter.CreateHistogram<double>("cold.duration", "s");
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return histogram.Meter == meter ? ms : throw new InvalidOperationException("The histogram is not the meter's.");
    }

    /// <summary>
    /// A baseline inside <see cref="FirstClientMs"/>: the process's first JSON read, a 13-byte document read token by
    /// token with <see cref="Utf8JsonReader"/>, before anything else in the process has read JSON. What it takes is
    /// System.Text.Json's own first use, which whatever reads JSON first in a process pays: since the fifteenth round the
    /// first client (which reads the presets and its adapter's file), before it the catalog's build.
    /// </summary>
    public static double FirstJsonReadMs()
    {
        var stopwatch = Stopwatch.StartNew();
        var reader = new Utf8JsonReader("{\"a\":[1,\"b\"]}"u8);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return tokens == 7 ? ms : throw new InvalidOperationException($"The document read as {tokens} tokens.");
    }

    private static ReadOnlyMemory<byte> Body()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", "gpt-4o-mini");
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteString("content", "Hello");
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Answers every request with the sync answer of the loopback server, in the OpenAI wire shape, without a network.</summary>
    private sealed class CannedAnswer : HttpMessageHandler
    {
        private static readonly byte[] Body = System.Text.Encoding.UTF8.GetBytes(Bodies.OpenAiCompletion(Loopback.BenchServer.SyncAnswer));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(Body) };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(response);
        }
    }

    /// <summary>
    /// The floor under <see cref="FolderBuildMs"/>: only reading the same files and parsing each into a JsonDocument with
    /// the reader's options, every value visited and every string read. What is left above it is the library's own work
    /// (its JIT, without an image) on top of the framework's first file read and first JSON parse.
    /// </summary>
    public static double FloorMs()
    {
        var adapters = Repo.AdaptersDirectory;
        var stopwatch = Stopwatch.StartNew();
        var values = 0;
        foreach (var file in Directory.EnumerateFiles(adapters, "*.json"))
        {
            if (file.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
            {
                continue; // (as the library's directory source)
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
            values += Visit(document.RootElement);
        }

        var ms = stopwatch.Elapsed.TotalMilliseconds;
        return values > 0 ? ms : throw new InvalidOperationException("The definition files hold no values.");

        static int Visit(JsonElement element)
        {
            var count = 1;
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        count += property.Name.Length > 0 ? Visit(property.Value) : 0;
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        count += Visit(item);
                    }

                    break;
                case JsonValueKind.String:
                    count += element.GetString()!.Length > 0 ? 1 : 0;
                    break;
            }

            return count;
        }
    }
}
