using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>
/// The gateway sample against a reverse proxy (issue 20, target 5): the same OpenAI stream forwarded by samples/Gateway
/// (OpenAI in, LlmAdapters' openai adapter, OpenAI out) and by YARP (byte for byte), each in its own process, to one
/// Kestrel upstream in a third. One hand-written client drives both; what is compared is each proxy process's CPU time
/// per chunk (single stream and 64 concurrent streams), the p50 latency a proxy adds to a sync request (against the same
/// request sent straight to the upstream, interleaved), and the gateway's resident memory over a 1,000,000-chunk stream.
/// Every text is checked (a mismatch exits 1). The gateway must be built first (dotnet build -c Release).
/// </summary>
public static class GatewayRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<int> RunAsync(string[] args)
    {
        int chunks = 20_000, rounds = 5, warmup = 8, warmupSync = 500, concurrency = 64, concurrentChunks = 2_000, sync = 1_000, ttfc = 1_000, million = 1_000_000;
        for (var i = 0; i < args.Length; i++)
        {
            int Next() => i + 1 < args.Length ? int.Parse(args[++i], Inv) : throw new ArgumentException($"{args[i]} needs a number");
            switch (args[i])
            {
                case "--chunks": chunks = Next(); break;
                case "--rounds": rounds = Next(); break;
                case "--warmup": warmup = Next(); break;
                case "--warmup-sync": warmupSync = Next(); break;
                case "--concurrency": concurrency = Next(); break;
                case "--concurrent-chunks": concurrentChunks = Next(); break;
                case "--sync": sync = Next(); break;
                case "--ttfc": ttfc = Next(); break;
                case "--million": million = Next(); break;
                case "--smoke": chunks = 300; rounds = 1; concurrency = 4; concurrentChunks = 50; sync = 20; ttfc = 20; million = 20_000; warmup = 1; warmupSync = 20; break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Options: --chunks N (20000) --rounds N (5) --warmup N (8) --warmup-sync N (500) --concurrency N (64) --concurrent-chunks N (2000) --sync N (1000) --ttfc N (1000) --million N (1000000) --smoke");
            }
        }

        var gatewayDll = Path.Combine(Repo.Root, "samples", "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
        if (!File.Exists(gatewayDll))
        {
            Console.Error.WriteLine($"{gatewayDll} is missing: build the solution first (dotnet build LlmAdapters.sln -c Release).");
            return 2;
        }

        await using var upstream = await ServerProcess.StartAsync(1);
        await using var yarp = await ServerProcess.StartAsync(SelfProcess.Info("proxy", "--target", upstream.BaseUrl));
        await using var gateway = await ServerProcess.StartAsync(GatewayStart(gatewayDll, upstream.BaseUrl, chunks, concurrentChunks, million), ready: "Now listening on: ", exitsOnStdinClose: false);

        Console.WriteLine("# Gateway vs YARP (loopback)");
        Console.WriteLine();
        Console.WriteLine($"- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical cores");
        Console.WriteLine($"- upstream {upstream.BaseUrl}, YARP {yarp.BaseUrl}, gateway {gateway.BaseUrl}: three processes; the client is this one");
        Console.WriteLine($"- first {warmup} warm-up rounds, not counted: each a round's streams plus {warmupSync} sync requests per target, so that the gateway runs the code a long-lived process runs (its own and LlmAdapters' code start at tier 0 and reach tier 1 with dynamic PGO only after thousands of calls; YARP's and ASP.NET's start precompiled; see docs/performance.md, \"Warm-up\")");
        Console.WriteLine($"- single stream {chunks:N0} chunks × {rounds} rounds; {concurrency} concurrent streams × {concurrentChunks:N0} chunks × {rounds} rounds; {sync} sync requests and {ttfc} short streams (time to first chunk) per target; memory over {million:N0} chunks");
        Console.WriteLine($"- load average at the start (1, 5, 15 min): {RunStats.LoadAverage()}");
        Console.WriteLine();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
        var targets = new[]
        {
            new Target("YARP", yarp, yarp.BaseUrl + "/v1", Conversation.Model(chunks), Conversation.Model(concurrentChunks), "bench-sync"),
            new Target("gateway", gateway, gateway.BaseUrl + "/v1", "stream", "concurrent", "sync"),
        };
        var direct = upstream.BaseUrl + "/v1";
        var expected = BenchServer.ExpectedText(chunks);
        var expectedConcurrent = BenchServer.ExpectedText(concurrentChunks);
        var single = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var many = targets.ToDictionary(t => t.Name, _ => new List<double>());
        try
        {
            // Warm-up: both proxies and the client JIT their paths; the figures are printed (the cold cost), not counted.
            for (var round = 1; round <= warmup; round++)
            {
                var line = new StringBuilder($"warm-up {round}:");
                foreach (var t in targets)
                {
                    var (one, all) = await StreamRoundAsync(t);
                    for (var i = 0; i < warmupSync; i++)
                    {
                        await SyncAsync(http, t.Url, t.SyncModel, t.Name);
                    }

                    line.Append(Inv, $" {t.Name} {one:0.0} / {all:0.0} µs CPU a chunk;");
                }

                Console.WriteLine(line.ToString());
            }

            for (var round = 1; round <= rounds; round++)
            {
                var line = new StringBuilder($"round {round}:");
                foreach (var t in targets)
                {
                    var (one, all) = await StreamRoundAsync(t);
                    single[t.Name].Add(one);
                    many[t.Name].Add(all);
                    line.Append(Inv, $" {t.Name} {one:0.0} / {all:0.0} µs CPU a chunk;");
                }

                Console.WriteLine(line.ToString());
            }

            // Sync: direct, YARP, gateway in turn, request by request, so that noise falls on all alike.
            var latency = new Dictionary<string, List<double>> { ["direct"] = [], ["YARP"] = [], ["gateway"] = [] };
            for (var i = 0; i < sync; i++)
            {
                latency["direct"].Add(await SyncAsync(http, direct, "bench-sync", "direct"));
                foreach (var t in targets)
                {
                    latency[t.Name].Add(await SyncAsync(http, t.Url, t.SyncModel, t.Name));
                }
            }

            // Time to first chunk: the sync answer streamed (its one content chunk comes in the upstream's first write),
            // direct, YARP, gateway in turn.
            var first = new Dictionary<string, List<double>> { ["direct"] = [], ["YARP"] = [], ["gateway"] = [] };
            for (var i = 0; i < ttfc; i++)
            {
                first["direct"].Add(await FirstChunkAsync(http, direct, "bench-sync", "direct"));
                foreach (var t in targets)
                {
                    first[t.Name].Add(await FirstChunkAsync(http, t.Url, t.SyncModel, t.Name));
                }
            }

            var memory = await MemoryAsync(http, gateway, million);

            Console.WriteLine();
            Console.WriteLine("## Results (medians over the rounds)");
            Console.WriteLine();
            Console.WriteLine("| measurement | YARP | gateway | gateway / YARP | target | met |");
            Console.WriteLine("| --- | ---: | ---: | ---: | --- | --- |");
            Row($"proxy CPU per chunk, one stream of {chunks:N0} (µs)", RunStats.Median(single["YARP"]), RunStats.Median(single["gateway"]), null);
            Row($"proxy CPU per chunk, {concurrency} concurrent streams (µs)", RunStats.Median(many["YARP"]), RunStats.Median(many["gateway"]), 2.0);
            var directP50 = RunStats.Median(latency["direct"]);
            Row($"sync p50 added to the direct {directP50:0} µs (µs)", RunStats.Median(latency["YARP"]) - directP50, RunStats.Median(latency["gateway"]) - directP50, 1.5);
            var directFirst = RunStats.Median(first["direct"]);
            Row($"time to first chunk p50 added to the direct {directFirst:0} µs (µs)", RunStats.Median(first["YARP"]) - directFirst, RunStats.Median(first["gateway"]) - directFirst, null);
            Console.WriteLine();
            Console.WriteLine(string.Create(Inv, $"Gateway resident memory over a {million:N0}-chunk stream: {memory.Tenth / 1048576.0:0.0} MB at 10%, {memory.Half / 1048576.0:0.0} MB at 50%, {memory.End / 1048576.0:0.0} MB at the end (growth 10%→100%: {(memory.End - memory.Tenth) / 1048576.0:0.0} MB)."));
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine("MISMATCH: " + e.Message);
            return 1;
        }

        // The target's CPU per chunk: one stream, then `concurrency` streams at once.
        async Task<(double One, double All)> StreamRoundAsync(Target t)
        {
            var cpu = t.Process.CpuMs();
            await StreamAsync(http, t.Url, t.StreamModel, expected, t.Name);
            var one = (t.Process.CpuMs() - cpu) * 1000 / chunks;
            cpu = t.Process.CpuMs();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => StreamAsync(http, t.Url, t.ConcurrentModel, expectedConcurrent, t.Name))));
            return (one, (t.Process.CpuMs() - cpu) * 1000 / (concurrency * (double)concurrentChunks));
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at the end (1, 5, 15 min): {RunStats.LoadAverage()}");
        return 0;

        static void Row(string name, double yarp, double gateway, double? target)
        {
            var ratio = gateway / yarp;
            var goal = target is { } t ? string.Create(Inv, $"≤ {t:0.0}× | {(ratio <= t ? "yes" : "**no**")}") : "— | —";
            Console.WriteLine(string.Create(Inv, $"| {name} | {yarp:0.0} | {gateway:0.0} | {ratio:0.00}× | {goal} |"));
        }
    }

    private sealed record Target(string Name, ServerProcess Process, string Url, string StreamModel, string ConcurrentModel, string SyncModel);

    private static ProcessStartInfo GatewayStart(string dll, string upstream, int chunks, int concurrentChunks, int million)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls=http://127.0.0.1:0");
        var env = info.Environment;
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        env["Gateway__DataDirectory"] = Path.Combine(Path.GetTempPath(), "llm-gateway-bench-" + Environment.ProcessId.ToString(Inv));
        foreach (var (name, model) in new[] { ("stream", Conversation.Model(chunks)), ("concurrent", Conversation.Model(concurrentChunks)), ("sync", "bench-sync"), ("flat", Conversation.FlatModel(million)) })
        {
            env[$"LlmAdapters__Profiles__{name}__Adapter"] = "openai";
            env[$"LlmAdapters__Profiles__{name}__BaseUrl"] = upstream + "/v1";
            env[$"LlmAdapters__Profiles__{name}__Variables__model"] = model;
            env[$"LlmAdapters__Profiles__{name}__ApiKeys__0"] = "k";
        }

        return info;
    }

    private static HttpRequestMessage Request(string url, string model, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url + "/chat/completions") { Content = new ReadOnlyMemoryContent(HandWritten.OpenAiRequestBody(model, Conversation.Messages, stream)) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        return request;
    }

    private static async Task StreamAsync(HttpClient http, string url, string model, string expected, string who)
    {
        using var request = Request(url, model, stream: true);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidDataException($"{who}: HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await using var body = await response.Content.ReadAsStreamAsync();
        var at = 0;
        await foreach (var piece in HandWritten.OpenAiSseAsync(body))
        {
            if (!expected.AsSpan(at).StartsWith(piece, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{who}: the text differs from the expected one at char {at}");
            }

            at += piece.Length;
        }

        if (at != expected.Length)
        {
            throw new InvalidDataException($"{who}: the stream ended after {at} chars; {expected.Length} were expected");
        }
    }

    private static async Task<double> SyncAsync(HttpClient http, string url, string model, string who)
    {
        var stopwatch = Stopwatch.StartNew();
        using var request = Request(url, model, stream: false);
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var us = stopwatch.Elapsed.TotalMicroseconds;
        if (!response.IsSuccessStatusCode || HandWritten.OpenAiCompletionText(bytes) != BenchServer.SyncAnswer)
        {
            throw new InvalidDataException($"{who}: the sync answer was HTTP {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }

        return us;
    }

    /// <summary>A short stream: the time from the request to its first non-empty piece; the whole text is then checked.</summary>
    private static async Task<double> FirstChunkAsync(HttpClient http, string url, string model, string who)
    {
        var stopwatch = Stopwatch.StartNew();
        using var request = Request(url, model, stream: true);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidDataException($"{who}: HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await using var body = await response.Content.ReadAsStreamAsync();
        double us = 0;
        var text = new StringBuilder();
        await foreach (var piece in HandWritten.OpenAiSseAsync(body))
        {
            if (us == 0 && piece.Length > 0)
            {
                us = stopwatch.Elapsed.TotalMicroseconds;
            }

            text.Append(piece);
        }

        if (text.ToString() != BenchServer.SyncAnswer)
        {
            throw new InvalidDataException($"{who}: the short stream's text was \"{text}\"");
        }

        return us;
    }

    private static async Task<(long Tenth, long Half, long End)> MemoryAsync(HttpClient http, ServerProcess gateway, int chunks)
    {
        using var request = Request(gateway.BaseUrl + "/v1", "flat", stream: true);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        long count = 0, tenth = 0, half = 0;
        await foreach (var piece in HandWritten.OpenAiSseAsync(body))
        {
            if (piece != BenchServer.FlatPiece)
            {
                throw new InvalidDataException($"gateway: chunk {count} of the flat stream was \"{piece}\"");
            }

            count++;
            if (count == chunks / 10)
            {
                tenth = gateway.WorkingSet();
            }
            else if (count == chunks / 2)
            {
                half = gateway.WorkingSet();
            }
        }

        if (count != chunks)
        {
            throw new InvalidDataException($"gateway: the flat stream gave {count} chunks, expected {chunks}");
        }

        return (tenth, half, gateway.WorkingSet());
    }


}
