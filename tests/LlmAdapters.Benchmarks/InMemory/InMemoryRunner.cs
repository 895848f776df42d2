using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LlmAdapters.Benchmarks.Loopback;
using LlmAdapters.Benchmarks.Support;
using Microsoft.Extensions.AI;

namespace LlmAdapters.Benchmarks.InMemory;

/// <summary>
/// The framings benchmark's bodies without a network: the hand-written parser reads them from a MemoryStream, the library
/// through the shipped adapter and an HttpClient whose handler answers with them (<see cref="CannedHandler"/>). It prints
/// the CPU time of the reading thread per chunk (the least over the rounds) and the bytes allocated per chunk, for one
/// wire and one client per process: processes of the same code differ by more than rounds within one, so run each
/// client in several processes and take the least (<c>--processes N</c> does: each client of <c>--clients</c> in N
/// processes of its own, in turn, with DOTNET_TC_CallCountingDelayMs=0 so that a short process tiers its methods up as
/// a long-running one does). Every round's text is checked (a mismatch exits 1).
/// </summary>
public static class InMemoryRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] Clients = ["hand", "handend", "library", "updates", "chatclient", "chatfloor"];

    public static async Task<int> RunAsync(string[] args)
    {
        string wireName = "openai", client = "library";
        int chunks = 20_000, rounds = 25, warmup = 15, processes = 0;
        string[] clients = ["hand", "library", "updates"];
        var smoke = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--wire": wireName = Next(); break;
                case "--client": client = Next(); break;
                case "--chunks": chunks = int.Parse(Next(), Inv); break;
                case "--rounds": rounds = int.Parse(Next(), Inv); break;
                case "--warmup": warmup = int.Parse(Next(), Inv); break;
                case "--processes": processes = int.Parse(Next(), Inv); break;
                case "--clients": clients = Next().Split(','); break;
                case "--smoke": smoke = true; break;
                case "--per-event": PerEvent = true; break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Options: --wire {string.Join("|", Wires.Keys)} --client {string.Join("|", Clients)} --chunks N (20000; 2000 for cumulative) --rounds N (25) --warmup N (15) --processes N --clients a,b,c (hand,library,updates) --smoke");
            }
        }

        if (smoke)
        {
            // Every wire and client, a short stream, one round: the texts checked, the figures meaningless.
            var failed = 0;
            foreach (var wire in Wires.Keys)
            {
                foreach (var c in Clients.Where(c => (c is not ("chatclient" or "chatfloor") || wire == "openai") && (c != "handend" || wire != "raw")))
                {
                    failed += await MeasureAsync(wire, c, 200, rounds: 1, warmup: 1) ? 0 : 1;
                }
            }

            return failed == 0 ? 0 : 1;
        }

        if (processes > 0)
        {
            return await InProcessesAsync(wireName, clients, processes, args.Where((a, i) => a is "--rounds" or "--chunks" or "--warmup" or "--per-event" || (i > 0 && args[i - 1] is "--rounds" or "--chunks" or "--warmup")).ToArray());
        }

        if (!Wires.ContainsKey(wireName) || !Clients.Contains(client))
        {
            throw new ArgumentException($"--wire is one of {string.Join(", ", Wires.Keys)}; --client one of {string.Join(", ", Clients)}");
        }

        chunks = wireName == "cumulative" && !args.Contains("--chunks") ? 2_000 : chunks;
        return await MeasureAsync(wireName, client, chunks, rounds, warmup) ? 0 : 1;
    }

    /// <summary>Each read of the body returns one event, as on loopback (<see cref="EventReadsStream"/>), instead of as much as the reader asks for.</summary>
    private static bool PerEvent { get; set; }

    private static readonly Dictionary<string, (Wire Wire, string Adapter, string Call, string ContentType)> Wires = new(StringComparer.Ordinal)
    {
        ["openai"] = (Wire.OpenAiSse, "openai", "chat", "text/event-stream"),
        ["anthropic"] = (Wire.AnthropicSse, "anthropic", "chat", "text/event-stream; charset=utf-8"),
        ["gemini"] = (Wire.GeminiSse, "gemini", "chat", "text/event-stream"),
        ["gemini-array"] = (Wire.GeminiJsonArray, "gemini-array", "chat", "application/json"),
        ["ollama"] = (Wire.OllamaNdjson, "ollama", "chat", "application/x-ndjson"),
        ["dashscope"] = (Wire.DashScopeSse, "dashscope", "chat", "text/event-stream;charset=UTF-8"),
        ["cumulative"] = (Wire.DashScopeCumulativeSse, "dashscope", "chat_cumulative", "text/event-stream;charset=UTF-8"),
        ["raw"] = (Wire.RawText, "espai", "chat", "text/plain; charset=utf-8"),
        ["bedrock"] = (Wire.AwsEventStream, "bedrock", "chat", "application/vnd.amazon.eventstream"),
    };

    private static async Task<bool> MeasureAsync(string wireName, string client, int chunks, int rounds, int warmup)
    {
        var (wire, adapter, call, contentType) = Wires[wireName];
        var events = FramingRoutes.Build(wire, chunks);
        var body = events.SelectMany(e => e).ToArray();
        var perEvent = PerEvent ? events : null;
        var expected = BenchServer.ExpectedText(chunks);
        var catalog = new LlmCatalogBuilder().AddDirectory(Repo.AdaptersDirectory).AddJson(BenchDefinitions.GeminiJsonArray(), "gemini-array.json").Build();
        using var http = new HttpClient(new CannedHandler(body, contentType, perEvent));
        var profile = new LlmProfile
        {
            Adapter = adapter,
            BaseUrl = "http://in-memory.test",
            Variables = { ["apikey"] = "k", ["model"] = "m", ["region"] = "us-east-1", ["aws_access_key_id"] = "AKIDEXAMPLE", ["aws_secret_access_key"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
        };
        var llm = catalog.CreateClient(profile, http);
        using var chat = llm.AsIChatClient(call);
        var request = new LlmRequest { Call = call, Messages = Conversation.Messages, Model = "m" };
        var chatMessages = ChatMessages.Of(Conversation.Messages);

        // Each client's loop consumes its own enumerable, as its users do (no adapter iterator in between); the warm-up
        // rounds check the whole text, the measured ones only its length, so that what is measured is the client and the
        // consumer's loop, not the building of a string.
        async Task<int> RunAsync(StringBuilder? text)
        {
            var length = 0;
            switch (client)
            {
                case "hand":
                    await foreach (var piece in HandWrittenFraming.Parse(wire, CannedHandler.Body(body, perEvent)))
                    {
                        length += piece.Length;
                        text?.Append(piece);
                    }

                    break;
                case "handend":
                    await foreach (var piece in HandWrittenFraming.Parse(wire, CannedHandler.Body(body, perEvent), toEnd: true))
                    {
                        length += piece.Length;
                        text?.Append(piece);
                    }

                    break;
                case "library":
                    await foreach (var piece in llm.StreamAsync(request))
                    {
                        length += piece.Length;
                        text?.Append(piece);
                    }

                    break;
                case "updates":
                    string? last = null;
                    await foreach (var update in llm.StreamUpdatesAsync(request))
                    {
                        last = update.FinishReason ?? last; // read on every update, as a consumer watching for the end does
                        length += update.Text.Length;
                        text?.Append(update.Text);
                    }

                    GC.KeepAlive(last);
                    break;
                case "chatfloor": // not a client: Microsoft.Extensions.AI's objects alone over the updates (LibraryFraming.Mode.ChatFloor)
                    string? lastReason = null;
                    await foreach (var update in llm.StreamUpdatesAsync(request))
                    {
                        lastReason = update.FinishReason ?? lastReason;
                        var piece = ChatFloor.Of(update).Text;
                        length += piece.Length;
                        text?.Append(piece);
                    }

                    GC.KeepAlive(lastReason);
                    break;
                case "chatclient":
                    await foreach (var update in chat.GetStreamingResponseAsync(chatMessages, new ChatOptions { ModelId = "m" }))
                    {
                        var piece = update.Text;
                        length += piece.Length;
                        text?.Append(piece);
                    }

                    break;
                default:
                    throw new InvalidOperationException(client);
            }

            return length;
        }

        for (var i = 0; i < warmup; i++)
        {
            var text = new StringBuilder();
            await RunAsync(text);
            if (!text.ToString().Equals(expected, StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"{wireName} {client}: the text differs from the expected one ({text.Length} against {expected.Length} characters)");
                return false;
            }
        }

        var least = double.MaxValue;
        var bytes = 0.0;
        for (var r = 0; r < rounds; r++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ThreadCpuNs();
            var length = await RunAsync(null);
            var ns = (ThreadCpuNs() - cpu) / (double)chunks;
            bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)chunks;
            least = Math.Min(least, ns);
            if (length != expected.Length)
            {
                Console.Error.WriteLine($"{wireName} {client}: {length} characters against {expected.Length}");
                return false;
            }
        }

        Console.WriteLine(string.Create(Inv, $"{wireName} {client} {least:0} ns {bytes:0.0} B per chunk ({chunks} chunks, least of {rounds} rounds)"));
        return true;
    }

    /// <summary>Each client in <paramref name="processes"/> processes of its own, in turn; the least and the median of each.</summary>
    private static async Task<int> InProcessesAsync(string wire, string[] clients, int processes, string[] passOn)
    {
        Console.WriteLine(string.Create(Inv, $"# {wire}, {processes} processes per client, in turn ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {RunStats.LoadAverage()})"));
        var ns = clients.ToDictionary(c => c, _ => new List<double>());
        var bytes = clients.ToDictionary(c => c, _ => 0.0);
        for (var p = 0; p < processes; p++)
        {
            foreach (var client in clients)
            {
                var (exitCode, output, error) = await SelfProcess.RunTieredAsync([.. new[] { "memory", "--wire", wire, "--client", client }.Concat(passOn)]);
                var words = output.Split(' ');
                if (exitCode != 0 || words.Length < 6)
                {
                    Console.Error.WriteLine($"{wire} {client}: exit code {exitCode}: {output}{error}");
                    return 1;
                }

                ns[client].Add(double.Parse(words[2], Inv));
                bytes[client] = double.Parse(words[4], Inv);
            }
        }

        Console.WriteLine("| client | least ns per chunk | median | B per chunk | every process |");
        Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var client in clients)
        {
            Console.WriteLine(string.Create(Inv, $"| {client} | {ns[client].Min():0} | {RunStats.Median(ns[client]):0} | {bytes[client]:0.0} | {string.Join(" ", ns[client].Select(v => v.ToString("0", Inv)))} |"));
        }

        return 0;
    }

    /// <summary>The CPU time of the calling thread (Linux: CLOCK_THREAD_CPUTIME_ID); elsewhere the wall time, which a busy loop on one thread comes close to.</summary>
    private static long ThreadCpuNs()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(3, out var time) == 0)
        {
            return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
        }

        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
