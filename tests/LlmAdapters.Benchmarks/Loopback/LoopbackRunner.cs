using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>
/// The end-to-end comparison over loopback: hand-written client, LlmAdapters and the OpenAI SDK against one Kestrel
/// server, interleaved round by round so that the machine's noise falls on all three alike. The warm-up rounds (5 by
/// default: tiered JIT with dynamic PGO recompiles hot code over the first rounds) are not counted. Every stream's text is checked against the expected text; a mismatch fails the run (exit code 1).
/// </summary>
public static class LoopbackRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed class Options
    {
        public int Chunks { get; set; } = 20_000;
        public int StreamsPerRound { get; set; } = 3;
        public int Rounds { get; set; } = 15;
        public int Warmup { get; set; } = 5;
        public int SyncRequests { get; set; } = 1_000;
        public int TtfcRequests { get; set; } = 600;
        public int TtfcChunks { get; set; } = 20;
        public int Concurrency { get; set; } = 64;
        public int ConcurrentChunks { get; set; } = 2_000;
        public int Batch { get; set; } = 1;
        public int MillionChunks { get; set; } = 1_000_000;
        public int ColdRuns { get; set; } = 5;
        public int JitWarmup { get; set; } = 20_000;
        public bool Smoke { get; set; }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                int Next() => i + 1 < args.Length ? int.Parse(args[++i], Inv) : throw new ArgumentException($"{args[i]} needs a number");
                switch (args[i])
                {
                    case "--chunks": o.Chunks = Next(); break;
                    case "--streams": o.StreamsPerRound = Math.Max(1, Next()); break;
                    case "--rounds": o.Rounds = Next(); break;
                    case "--warmup": o.Warmup = Next(); break;
                    case "--sync": o.SyncRequests = Next(); break;
                    case "--ttfc": o.TtfcRequests = Next(); break;
                    case "--concurrency": o.Concurrency = Next(); break;
                    case "--concurrent-chunks": o.ConcurrentChunks = Next(); break;
                    case "--batch": o.Batch = Next(); break;
                    case "--million": o.MillionChunks = Next(); break;
                    case "--no-million": o.MillionChunks = 0; break;
                    case "--cold-runs": o.ColdRuns = Next(); break;
                    case "--jit-warmup": o.JitWarmup = Next(); break;
                    case "--smoke":
                        o.Smoke = true;
                        o.Chunks = 500;
                        o.StreamsPerRound = 1;
                        o.Rounds = 1;
                        o.Warmup = 1;
                        o.SyncRequests = 20;
                        o.TtfcRequests = 10;
                        o.ConcurrentChunks = 100;
                        o.MillionChunks = 0;
                        o.ColdRuns = 1;
                        o.JitWarmup = 20;
                        break;
                    default: throw new ArgumentException($"Unknown option {args[i]}. Options: --chunks N --streams N --rounds N --warmup N --sync N --ttfc N --concurrency N --concurrent-chunks N --batch N --million N --no-million --cold-runs N --jit-warmup N --smoke");
                }
            }

            return o;
        }
    }

    private sealed class Samples
    {
        public List<double> StreamMs { get; } = [];
        public List<double> AllocPerChunk { get; } = [];
        public List<double> TtfcUs { get; } = [];
        public List<double> TtfcAllocPerCall { get; } = [];
        public List<double> SyncAllocPerCall { get; } = [];
        public List<double> SyncUs { get; } = [];
        public List<double> ConcurrentMs { get; } = [];
        public List<double> StreamCpuMs { get; } = [];
        public List<double> ConcurrentCpuMs { get; } = [];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var o = Options.Parse(args);

        // Cold: the first build of a catalog in this process, JIT and all. Nothing has touched LlmAdapters before.
        var coldMs = ColdStart.ColdStart.FolderBuildMs();
        var adapters = Repo.AdaptersDirectory;
        var stopwatch = Stopwatch.StartNew();
        var catalog = new LlmCatalogBuilder().AddDirectory(adapters).Build();
        var secondMs = stopwatch.Elapsed.TotalMilliseconds;

        Console.WriteLine($"# LlmAdapters loopback benchmark{(o.Smoke ? " (smoke)" : string.Empty)}");
        Console.WriteLine();
        Console.WriteLine($"- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical cores, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine($"- stream: {o.Chunks:N0} chunks, {o.StreamsPerRound} per variant a round; time to first chunk: {o.TtfcRequests} streams of {o.TtfcChunks} chunks per variant; sync: {o.SyncRequests} requests per variant; concurrency: {o.Concurrency} streams × {o.ConcurrentChunks:N0} chunks; server flushes every {o.Batch} event(s)");
        Console.WriteLine($"- {o.Rounds} measured round(s) after {o.Warmup} warm-up round(s), variants interleaved in each: hand-written, LlmAdapters, OpenAI SDK");
        Console.WriteLine($"- before the rounds, {o.JitWarmup:N0} sync calls and {o.JitWarmup:N0} short streams per variant, so that every client runs the code it would run in a long-lived service: the framework's code starts precompiled (ReadyToRun), a client's own code starts at tier 0 and reaches tier 1 with dynamic PGO only after thousands of calls (see docs/performance.md, \"Warm-up\")");
        Console.WriteLine($"- load average at the start (1, 5, 15 min): {RunStats.LoadAverage()}");

        await using var server = await ServerProcess.StartAsync(o.Batch);
        var baseUrl = server.BaseUrl + "/v1";
        Console.WriteLine($"- server: Kestrel in a child process at {server.BaseUrl}");
        Console.WriteLine();

        var expected = new Dictionary<int, string>();
        foreach (var n in new[] { o.Chunks, o.TtfcChunks, o.ConcurrentChunks })
        {
            expected[n] = BenchServer.ExpectedText(n);
        }

        using var hand = new HandWrittenVariant(baseUrl);
        using var library = new LlmAdaptersVariant(catalog, baseUrl);
        using var sdk = new SdkVariant(baseUrl);
        IVariant[] variants = [hand, library, sdk];
        var samples = variants.ToDictionary(v => v.Name, _ => new Samples());
        var syncPerRound = (int)Math.Ceiling(o.SyncRequests / (double)o.Rounds);
        var ttfcPerRound = (int)Math.Ceiling(o.TtfcRequests / (double)o.Rounds);

        try
        {
            for (var i = 0; i < o.JitWarmup; i++)
            {
                foreach (var v in variants)
                {
                    await SyncRoundTripAsync(v);
                    await TimeToFirstChunkAsync(v, o.TtfcChunks, expected[o.TtfcChunks]);
                }
            }

            for (var round = 1 - o.Warmup; round <= o.Rounds; round++)
            {
                var record = round > 0;
                var progress = new StringBuilder(round <= 0 ? $"warm-up {round + o.Warmup}:" : $"round {round}:");
                // Several long streams per round, the clients in turn: one stream of ~13 ms is one noisy sample.
                for (var s = 0; s < o.StreamsPerRound; s++)
                {
                    foreach (var v in variants)
                    {
                        var cpu = CpuMs();
                        var (ms, allocPerChunk) = await OneStreamAsync(v, o.Chunks, expected[o.Chunks]);
                        cpu = CpuMs() - cpu;
                        if (record)
                        {
                            samples[v.Name].StreamMs.Add(ms);
                            samples[v.Name].AllocPerChunk.Add(allocPerChunk);
                            samples[v.Name].StreamCpuMs.Add(cpu);
                        }

                        progress.Append(Inv, $" {v.Name} {ms:0.0} ms {allocPerChunk:0} B/chunk;");
                    }
                }

                // Short streams and sync calls alternate request by request (hand-written, LlmAdapters, SDK, hand-written, ...):
                // measured in blocks, the first client after the big streams came out slower whichever it was.
                for (var i = 0; i < ttfcPerRound; i++)
                {
                    foreach (var v in variants)
                    {
                        var allocated = GC.GetTotalAllocatedBytes(precise: true);
                        var us = await TimeToFirstChunkAsync(v, o.TtfcChunks, expected[o.TtfcChunks]);
                        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                        if (record)
                        {
                            samples[v.Name].TtfcUs.Add(us);
                            samples[v.Name].TtfcAllocPerCall.Add(allocated);
                        }
                    }
                }

                for (var i = 0; i < syncPerRound; i++)
                {
                    foreach (var v in variants)
                    {
                        var allocated = GC.GetTotalAllocatedBytes(precise: true);
                        var us = await SyncRoundTripAsync(v);
                        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                        if (record)
                        {
                            samples[v.Name].SyncUs.Add(us);
                            samples[v.Name].SyncAllocPerCall.Add(allocated);
                        }
                    }
                }

                foreach (var v in variants)
                {
                    var cpu = CpuMs();
                    var ms = await ConcurrentStreamsAsync(v, o.Concurrency, o.ConcurrentChunks, expected[o.ConcurrentChunks]);
                    cpu = CpuMs() - cpu;
                    if (record)
                    {
                        samples[v.Name].ConcurrentMs.Add(ms);
                        samples[v.Name].ConcurrentCpuMs.Add(cpu);
                    }

                    progress.Append(Inv, $" {o.Concurrency}x {v.Name} {ms:0} ms;");
                }

                Console.WriteLine(progress.ToString());
            }

            // One process's first build is one noisy sample: repeat it in fresh processes. After the rounds, not before:
            // right after `dotnet run` starts, its build tooling and this process's background JIT compete for the cores
            // (seen: 45 ms medians there against 31 ms for the same command run alone).
            var coldRuns = new List<double>();
            var jitOnlyRuns = new List<double>();
            var floorRuns = new List<double>();
            for (var i = 0; i < o.ColdRuns; i++)
            {
                coldRuns.Add(await ServerProcess.ColdBuildMsAsync());
                jitOnlyRuns.Add(await ServerProcess.ColdBuildMsAsync(jitOnly: true));
                floorRuns.Add(await ServerProcess.ColdBuildMsAsync(false, "cold-floor"));
            }

            Console.WriteLine();
            PrintTable(o, variants, samples, coldMs, secondMs, coldRuns, jitOnlyRuns, floorRuns);

            if (o.MillionChunks > 0)
            {
                Console.WriteLine();
                Console.WriteLine($"## Memory over a {o.MillionChunks:N0}-chunk stream (content \"{BenchServer.FlatPiece}\" per chunk)");
                Console.WriteLine();
                Console.WriteLine("| client | wall (s) | allocated B/chunk | live heap at 10% (MB) | at 50% | at 100% | growth 10%→100% (MB) | working set at end (MB) |");
                Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
                foreach (var v in variants)
                {
                    Console.WriteLine(await FlatMemoryAsync(v, o.MillionChunks));
                }
            }
        }
        catch (MismatchException e)
        {
            Console.Error.WriteLine("MISMATCH: " + e.Message);
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at the end (1, 5, 15 min): {RunStats.LoadAverage()}");

        if (o.Smoke)
        {
            Console.WriteLine();
            Console.WriteLine("smoke: every variant produced the expected text in every measurement");
        }

        return 0;
    }

    /// <summary>CPU time used by this process so far (user and kernel, all threads), in ms; the server runs in another process.</summary>
    private static double CpuMs()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalMilliseconds;
    }


    private sealed class MismatchException(string message) : Exception(message);

    /// <summary>Checks pieces against the expected text as they arrive, without building the text (which would count as allocation).</summary>
    private sealed class TextChecker(string who, string expected)
    {
        private int _at;

        public void Piece(string piece)
        {
            if (!expected.AsSpan(_at).StartsWith(piece, StringComparison.Ordinal))
            {
                throw new MismatchException($"{who}: the text differs from the expected one at char {_at} (got \"{Excerpt(piece)}\", expected \"{Excerpt(expected.Substring(_at, Math.Min(40, expected.Length - _at)))}\")");
            }

            _at += piece.Length;
        }

        public void End()
        {
            if (_at != expected.Length)
            {
                throw new MismatchException($"{who}: the stream ended after {_at} chars; {expected.Length} were expected");
            }
        }

        private static string Excerpt(string s) => s.Length > 40 ? s[..40] + "…" : s;
    }

    private static async Task<(double Ms, double AllocPerChunk)> OneStreamAsync(IVariant v, int chunks, string expected)
    {
        var check = new TextChecker(v.Name, expected);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        await foreach (var piece in v.StreamAsync(Conversation.Model(chunks)))
        {
            check.Piece(piece);
        }

        var ms = stopwatch.Elapsed.TotalMilliseconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        check.End();
        return (ms, allocated / (double)chunks);
    }

    private static async Task<double> TimeToFirstChunkAsync(IVariant v, int chunks, string expected)
    {
        var check = new TextChecker(v.Name, expected);
        var stopwatch = Stopwatch.StartNew();
        double first = -1;
        await foreach (var piece in v.StreamAsync(Conversation.Model(chunks)))
        {
            if (first < 0)
            {
                first = stopwatch.Elapsed.TotalMicroseconds;
            }

            check.Piece(piece);
        }

        check.End();
        return first;
    }

    private static async Task<double> SyncRoundTripAsync(IVariant v)
    {
        var stopwatch = Stopwatch.StartNew();
        var text = await v.CompleteAsync();
        var us = stopwatch.Elapsed.TotalMicroseconds;
        if (!string.Equals(text, BenchServer.SyncAnswer, StringComparison.Ordinal))
        {
            throw new MismatchException($"{v.Name}: the sync answer was \"{text}\", expected \"{BenchServer.SyncAnswer}\"");
        }

        return us;
    }

    private static async Task<double> ConcurrentStreamsAsync(IVariant v, int streams, int chunks, string expected)
    {
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            var check = new TextChecker(v.Name, expected);
            await foreach (var piece in v.StreamAsync(Conversation.Model(chunks)))
            {
                check.Piece(piece);
            }

            check.End();
        })));
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static async Task<string> FlatMemoryAsync(IVariant v, int chunks)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var tenth = Math.Max(1, chunks / 10);
        var half = Math.Max(1, chunks / 2);
        long heapTenth = 0, heapHalf = 0, heapEnd = 0, count = 0;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        await foreach (var piece in v.StreamAsync(Conversation.FlatModel(chunks)))
        {
            if (!string.Equals(piece, BenchServer.FlatPiece, StringComparison.Ordinal))
            {
                throw new MismatchException($"{v.Name}: chunk {count} of the flat stream was \"{piece}\"");
            }

            count++;
            if (count == tenth)
            {
                heapTenth = GC.GetTotalMemory(forceFullCollection: true);
            }
            else if (count == half)
            {
                heapHalf = GC.GetTotalMemory(forceFullCollection: true);
            }
            else if (count == chunks)
            {
                heapEnd = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (count != chunks)
        {
            throw new MismatchException($"{v.Name}: the flat stream gave {count} chunks, expected {chunks}");
        }

        static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.00", Inv);
        return string.Create(Inv, $"| {v.Name} | {seconds:0.00} | {allocated / (double)chunks:0} | {Mb(heapTenth)} | {Mb(heapHalf)} | {Mb(heapEnd)} | {Mb(heapEnd - heapTenth)} | {Mb(Environment.WorkingSet)} |");
    }


    private static void PrintTable(Options o, IVariant[] variants, Dictionary<string, Samples> samples, double coldMs, double secondMs, List<double> coldRuns, List<double> jitOnlyRuns, List<double> floorRuns)
    {
        var h = samples[variants[0].Name];
        var l = samples[variants[1].Name];
        var s = samples[variants[2].Name];
        Console.WriteLine("## Results (medians; ratios to the hand-written client)");
        Console.WriteLine();
        Console.WriteLine("| measurement | hand-written | LlmAdapters | OpenAI SDK | LlmAdapters / hand | SDK / hand | target for LlmAdapters | met |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        Row($"stream of {o.Chunks:N0} chunks, wall (ms)", x => RunStats.Median(x.StreamMs), "0.0", 1.2);
        Row("allocated bytes per chunk (yielded strings included)", x => RunStats.Median(x.AllocPerChunk), "0", 1.5);
        Row($"time to first chunk (µs, {o.TtfcChunks}-chunk streams, warm connection)", x => RunStats.Median(x.TtfcUs), "0", 1.1);
        Row("sync round trip p50 (µs)", x => RunStats.Median(x.SyncUs), "0", 1.1);
        Row($"{o.Concurrency} concurrent streams × {o.ConcurrentChunks:N0} chunks, wall (ms)", x => RunStats.Median(x.ConcurrentMs), "0", 1.2);
        Row($"(no target) allocated bytes per {o.TtfcChunks}-chunk stream call", x => RunStats.Median(x.TtfcAllocPerCall), "0", null);
        Row("(no target) allocated bytes per sync call", x => RunStats.Median(x.SyncAllocPerCall), "0", null);
        // Process CPU time ticks coarsely (10 ms on Linux): the mean over the rounds, not the median.
        Row($"(no target) client CPU time for the stream of {o.Chunks:N0} chunks (ms, mean)", x => x.StreamCpuMs.DefaultIfEmpty(double.NaN).Average(), "0", null);
        Row($"(no target) client CPU time for the {o.Concurrency} concurrent streams (ms, mean)", x => x.ConcurrentCpuMs.DefaultIfEmpty(double.NaN).Average(), "0", null);
        Console.WriteLine();
        var files = string.Join(", ", Directory.GetFiles(Repo.AdaptersDirectory, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Console.WriteLine(string.Create(Inv, $"Compiling all shipped adapters ({files}), cold (the first LlmCatalogBuilder().AddDirectory(adapters).Build() in this process): {coldMs:0.0} ms (target < 50 ms: {(coldMs < 50 ? "met" : "NOT met")}); the second build in the same process: {secondMs:0.00} ms."));
        if (coldRuns.Count > 0)
        {
            var median = RunStats.Median(coldRuns);
            Console.WriteLine();
            Console.WriteLine(string.Create(Inv, $"The same cold build in {coldRuns.Count} fresh processes: median {median:0.0} ms (min {coldRuns.Min():0.0}, max {coldRuns.Max():0.0}; target < 50 ms: {(median < 50 ? "met" : "NOT met")})."));
            var jitOnly = RunStats.Median(jitOnlyRuns);
            var floor = RunStats.Median(floorRuns);
            Console.WriteLine();
            Console.WriteLine(string.Create(Inv, $"Alternated with those, the JIT only (DOTNET_ReadyToRunExcludeList=LlmAdapters, as where the package has no image): median {jitOnly:0.0} ms (min {jitOnlyRuns.Min():0.0}, max {jitOnlyRuns.Max():0.0}; target ≤ 35 ms: {(jitOnly <= 35 ? "met" : "NOT met")}); the floor, reading and parsing the same files with JsonDocument and nothing else (cold-floor): median {floor:0.0} ms (min {floorRuns.Min():0.0}, max {floorRuns.Max():0.0}). Above the floor: {median - floor:0.0} ms with the image, {jitOnly - floor:0.0} ms with the JIT only."));
        }
        Console.WriteLine();
        Console.WriteLine("Spread over the measured rounds (min / median / max):");
        Console.WriteLine();
        Console.WriteLine("| measurement | hand-written | LlmAdapters | OpenAI SDK |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Spread("stream wall (ms)", x => x.StreamMs, "0.0");
        Spread("allocated B/chunk", x => x.AllocPerChunk, "0");
        Spread("time to first chunk (µs)", x => x.TtfcUs, "0");
        Spread("sync round trip (µs)", x => x.SyncUs, "0");
        Spread("concurrent streams wall (ms)", x => x.ConcurrentMs, "0");

        void Row(string name, Func<Samples, double> pick, string format, double? target)
        {
            double hv = pick(h), lv = pick(l), sv = pick(s);
            var ratio = lv / hv;
            var goal = target is { } t ? string.Create(Inv, $"≤ {t:0.0#}× | {(ratio <= t ? "yes" : "**no**")}") : "— | —";
            Console.WriteLine(string.Create(Inv, $"| {name} | {hv.ToString(format, Inv)} | {lv.ToString(format, Inv)} | {sv.ToString(format, Inv)} | {ratio:0.00}× | {sv / hv:0.00}× | {goal} |"));
        }

        void Spread(string name, Func<Samples, List<double>> pick, string format)
        {
            string Of(Samples x) => pick(x).Count == 0 ? "-" : $"{pick(x).Min().ToString(format, Inv)} / {RunStats.Median(pick(x)).ToString(format, Inv)} / {pick(x).Max().ToString(format, Inv)}";
            Console.WriteLine($"| {name} | {Of(h)} | {Of(l)} | {Of(s)} |");
        }
    }
}
