using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>
/// Every framing the shipped adapters stream, side by side over loopback (issue 20): for each wire a hand-written client
/// (and, but on raw text, the same client reading each chunk to its end, as the library must), LlmAdapters' StreamAsync
/// through the shipped adapter, and the vendor's official SDK where there is one (OpenAI,
/// Anthropic, OllamaSharp); on the OpenAI wire also StreamUpdatesAsync, LlmAdapters' IChatClient, the floor under any
/// IChatClient over StreamUpdatesAsync (Microsoft.Extensions.AI's objects alone) and Microsoft.Extensions.AI.OpenAI's IChatClient. Variants of a wire run in turn within each round, so that the machine's
/// noise falls on all alike; medians over the measured rounds; every stream's text is checked (a mismatch exits 1).
/// </summary>
public static class FramingsRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed class Sample
    {
        public List<double> Ms { get; } = [];
        public List<double> AllocPerChunk { get; } = [];
        public List<double> StringsPerChunk { get; } = [];
        public List<double> CpuMs { get; } = [];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        int chunks = 20_000, rounds = 7, warmup = 3;
        var smoke = false;
        for (var i = 0; i < args.Length; i++)
        {
            int Next() => i + 1 < args.Length ? int.Parse(args[++i], Inv) : throw new ArgumentException($"{args[i]} needs a number");
            switch (args[i])
            {
                case "--chunks": chunks = Next(); break;
                case "--rounds": rounds = Next(); break;
                case "--warmup": warmup = Next(); break;
                case "--smoke": smoke = true; chunks = 300; rounds = 1; warmup = 1; break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Options: --chunks N (20000) --rounds N (7) --warmup N (3) --smoke");
            }
        }

        var catalog = new LlmCatalogBuilder().AddDirectory(Support.Repo.AdaptersDirectory).AddJson(Support.BenchDefinitions.GeminiJsonArray(), "gemini-array.json").Build();
        await using var server = await ServerProcess.StartAsync(1);
        var url = server.BaseUrl;
        // A cumulative stream repeats all the text so far in every event: its body grows with the square of its length,
        // so it is measured on 2,000 pieces (as the micro benchmark does), the others on --chunks.
        var cumulativeChunks = Math.Min(chunks, 2_000);
        int ChunksOf(Wire wire) => wire == Wire.DashScopeCumulativeSse ? cumulativeChunks : chunks;
        var expected = new Dictionary<int, string> { [chunks] = BenchServer.ExpectedText(chunks), [cumulativeChunks] = BenchServer.ExpectedText(cumulativeChunks) };

        var variants = new List<IFramingVariant>();
        foreach (var wire in Enum.GetValues<Wire>())
        {
            variants.Add(new HandWrittenFraming(wire, url));
            if (wire != Wire.RawText)
            {
                variants.Add(new HandWrittenFraming(wire, url, toEnd: true)); // held to the library's constraint: no chunk read in part
            }

            variants.Add(new LibraryFraming(catalog, wire, url));
            variants.Add(new LibraryFraming(catalog, wire, url, LibraryFraming.Mode.Updates)); // metadata streams on every wire
            switch (wire)
            {
                case Wire.OpenAiSse:
                    variants.Add(new LibraryFraming(catalog, wire, url, LibraryFraming.Mode.ChatClient));
                    variants.Add(new LibraryFraming(catalog, wire, url, LibraryFraming.Mode.ChatFloor));
                    variants.Add(new OpenAiSdkFraming(url));
                    variants.Add(new MeaiOpenAiFraming(url));
                    break;
                case Wire.AnthropicSse:
                    variants.Add(new AnthropicSdkFraming(url));
                    break;
                case Wire.OllamaNdjson:
                    variants.Add(new OllamaSharpFraming(url));
                    break;
                case Wire.GeminiSse:
                case Wire.GeminiJsonArray:
                case Wire.DashScopeSse:
                case Wire.DashScopeCumulativeSse:
                case Wire.RawText:
                case Wire.AwsEventStream:
                    break;
                default:
                    throw new InvalidOperationException("unknown wire " + wire);
            }
        }

        Console.WriteLine($"# LlmAdapters framings benchmark{(smoke ? " (smoke)" : string.Empty)}");
        Console.WriteLine();
        Console.WriteLine($"- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical cores");
        Console.WriteLine($"- streams of {chunks:N0} pieces per wire ({cumulativeChunks:N0} for the cumulative one); {rounds} measured round(s) after {warmup} warm-up round(s); in each round every wire's variants in turn");
        Console.WriteLine($"- server: Kestrel in a child process at {url}, one flushed write per event");
        Console.WriteLine($"- load average at the start (1, 5, 15 min): {RunStats.LoadAverage()}");
        Console.WriteLine();

        var samples = variants.ToDictionary(v => v, _ => new Sample());
        try
        {
            for (var round = 1 - warmup; round <= rounds; round++)
            {
                var line = new StringBuilder(round <= 0 ? $"warm-up {round + warmup}:" : $"round {round}:");
                foreach (var group in variants.GroupBy(v => v.Wire))
                {
                    foreach (var v in group)
                    {
                        var (ms, alloc, strings, cpu) = await OneAsync(v, ChunksOf(v.Wire), expected[ChunksOf(v.Wire)]);
                        if (round > 0)
                        {
                            var s = samples[v];
                            s.Ms.Add(ms);
                            s.AllocPerChunk.Add(alloc);
                            s.StringsPerChunk.Add(strings);
                            s.CpuMs.Add(cpu);
                        }

                        line.Append(Inv, $" {group.Key}/{v.Kind} {ms:0.0};");
                    }
                }

                Console.WriteLine(line.ToString());
            }
        }
        catch (MismatchException e)
        {
            Console.Error.WriteLine("MISMATCH: " + e.Message);
            return 1;
        }
        finally
        {
            foreach (var v in variants)
            {
                v.Dispose();
            }
        }

        Console.WriteLine();
        Print(variants, samples, chunks);
        Console.WriteLine();
        Console.WriteLine($"Load average at the end (1, 5, 15 min): {RunStats.LoadAverage()}");
        if (smoke)
        {
            Console.WriteLine();
            Console.WriteLine("smoke: every variant produced the expected text on every wire");
        }

        return 0;
    }

    private static void Print(List<IFramingVariant> variants, Dictionary<IFramingVariant, Sample> samples, int chunks)
    {
        Console.WriteLine("## Per wire (medians; ratios to the hand-written client of the same wire)");
        Console.WriteLine();
        Console.WriteLine("Allocation counts everything the client allocates per piece, the yielded strings included; \"beyond\" subtracts the strings it yielded (each string's exact size on 64-bit).");
        Console.WriteLine();
        Console.WriteLine("| wire | client | wall (ms) | × hand | alloc B/piece | × hand | beyond strings B/piece | CPU ms | target | met |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var group in variants.GroupBy(v => v.Wire))
        {
            var hand = group.First(v => v.Kind == "hand");
            var library = group.First(v => v.Kind == "library");
            var h = samples[hand];
            foreach (var v in group)
            {
                var s = samples[v];
                var t = RunStats.Median(s.Ms) / RunStats.Median(h.Ms);
                var a = RunStats.Median(s.AllocPerChunk) / RunStats.Median(h.AllocPerChunk);
                var (target, met) = v.Kind switch
                {
                    "library" => group.Key == Wire.DashScopeCumulativeSse
                        ? ("time ≤ 1.25×, alloc ≤ 1.5×", t <= 1.25 && a <= 1.5)
                        : ("time ≤ 1.15×, alloc ≤ 1.5×", t <= 1.15 && a <= 1.5),
                    "sdk" => ("slower than LlmAdapters", RunStats.Median(s.Ms) > RunStats.Median(samples[library].Ms) && RunStats.Median(s.AllocPerChunk) > RunStats.Median(samples[library].AllocPerChunk)),
                    "updates" => ("≤ 1.3× StreamAsync time, ≤ 2× its alloc", RunStats.Median(s.Ms) <= 1.3 * RunStats.Median(samples[library].Ms) && RunStats.Median(s.AllocPerChunk) <= 2 * RunStats.Median(samples[library].AllocPerChunk)),
                    "chatclient" => ("≤ 1.3× StreamUpdatesAsync time", RunStats.Median(s.Ms) <= 1.3 * RunStats.Median(samples[group.First(x => x.Kind == "updates")].Ms)),
                    "chatfloor" => (string.Create(Inv, $"none; this ÷ StreamUpdatesAsync: {RunStats.Median(s.Ms) / RunStats.Median(samples[group.First(x => x.Kind == "updates")].Ms):0.00}×, LlmAdapters IChatClient ÷ this: {RunStats.Median(samples[group.First(x => x.Kind == "chatclient")].Ms) / RunStats.Median(s.Ms):0.00}×"), true),
                    "meai" => ("≥ 2× LlmAdapters IChatClient time", RunStats.Median(s.Ms) >= 2 * RunStats.Median(samples[group.First(x => x.Kind == "chatclient")].Ms)),
                    "handend" => (string.Create(Inv, $"none; LlmAdapters StreamAsync ÷ this: {RunStats.Median(samples[library].Ms) / RunStats.Median(s.Ms):0.00}×"), true),
                    _ => ("—", true),
                };
                var mark = v.Kind is "hand" or "handend" or "chatfloor" ? "—" : met ? "yes" : "**no**";
                Console.WriteLine(string.Create(Inv, $"| {group.Key} | {v.Name} | {RunStats.Median(s.Ms):0.0} | {t:0.00}× | {RunStats.Median(s.AllocPerChunk):0} | {a:0.00}× | {RunStats.Median(s.AllocPerChunk) - RunStats.Median(s.StringsPerChunk):0} | {s.CpuMs.Average():0} | {target} | {mark} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("Spread of wall time over the measured rounds (min / median / max, ms):");
        Console.WriteLine();
        Console.WriteLine("| wire | client | spread |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var v in variants)
        {
            var s = samples[v];
            Console.WriteLine(string.Create(Inv, $"| {v.Wire} | {v.Name} | {s.Ms.Min():0.0} / {RunStats.Median(s.Ms):0.0} / {s.Ms.Max():0.0} |"));
        }

        _ = chunks;
    }

    private sealed class MismatchException(string message) : Exception(message);

    private static async Task<(double Ms, double AllocPerChunk, double StringsPerChunk, double CpuMs)> OneAsync(IFramingVariant v, int chunks, string expected)
    {
        var at = 0;
        long strings = 0;
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        await foreach (var piece in v.StreamAsync(chunks))
        {
            if (!expected.AsSpan(at).StartsWith(piece, StringComparison.Ordinal))
            {
                throw new MismatchException($"{v.Wire} {v.Name}: the text differs from the expected one at char {at}");
            }

            at += piece.Length;
            strings += (22 + (2L * piece.Length) + 7) & ~7L; // a string's size on 64-bit: header, length, chars and a terminator, 8-aligned
        }

        var ms = stopwatch.Elapsed.TotalMilliseconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        self.Refresh();
        var cpuMs = (self.TotalProcessorTime - cpu).TotalMilliseconds;
        if (at != expected.Length)
        {
            throw new MismatchException($"{v.Wire} {v.Name}: the stream ended after {at} chars; {expected.Length} were expected");
        }

        return (ms, allocated / (double)chunks, strings / (double)chunks, cpuMs);
    }


}
