using BenchmarkDotNet.Running;
using LlmAdapters.Benchmarks.Loopback;

namespace LlmAdapters.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/LlmAdapters.Benchmarks -- micro [BenchmarkDotNet arguments]
/// dotnet run -c Release --project tests/LlmAdapters.Benchmarks -- framings [--chunks 20000] [--rounds 7] [--smoke]
/// dotnet run -c Release --project tests/LlmAdapters.Benchmarks -- memory --wire dashscope --client updates
/// dotnet run -c Release --project tests/LlmAdapters.Benchmarks -- loopback [--chunks 20000] [--rounds 7] [--smoke] ...
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["micro", .. var rest]:
                return Micro(rest);
            case ["loopback", .. var rest]:
                return await LoopbackRunner.RunAsync(rest);
            case ["framings", .. var rest]:
                return await FramingsRunner.RunAsync(rest);
            case ["memory", .. var rest]:
                return await InMemory.InMemoryRunner.RunAsync(rest);
            case ["alternate", .. var rest]:
                return await InMemory.AlternateRunner.RunAsync(rest);
            case ["gateway", .. var rest]:
                return await GatewayRunner.RunAsync(rest);
            case ["proxy", .. var rest]:
                return await YarpProxy.ServeAsync(rest);
            case ["serve", .. var rest]:
                return await BenchServer.ServeAsync(rest);
            case ["cold"]:
            case ["cold", _]:
                Console.WriteLine((await ColdStart.ColdStart.MsAsync(args.Length > 1 ? args[1] : "folder")).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case ["cold-start", .. var rest]:
                return await ColdStart.ColdStartRunner.RunAsync(rest);
            case ["cold-hand-call"]:
                Console.WriteLine((await ColdStart.ColdStart.HandFirstCallMsAsync()).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case ["cold-meter"]:
            case ["cold-meter", "after-request"]:
                Console.WriteLine((await ColdStart.ColdStart.MeterMsAsync(afterRequest: args.Length > 1)).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case ["cold-json"]:
                Console.WriteLine(ColdStart.ColdStart.FirstJsonReadMs().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case ["cold-floor"]:
                Console.WriteLine(ColdStart.ColdStart.FloorMs().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            default:
                Console.Error.WriteLine("""
                    Usage:
                      micro [BenchmarkDotNet arguments]   in-memory benchmarks (--filter '*OpenAiSse*', --job short, ...); all of them without --filter
                      framings [--chunks N (20000)] [--rounds N (7)] [--warmup N (3)] [--smoke]
                                                          every shipped framing: hand-written vs LlmAdapters vs each vendor's SDK, over loopback
                      memory [--wire W] [--client hand|handend|library|updates|chatclient|chatfloor] [--chunks N] [--rounds N] [--per-event] [--smoke]
                                                          the framings' bodies without a network: CPU ns and bytes per chunk, one client per process
                      alternate --base DIR [--rounds N (12)] [--processes N (4)] [--per-event] wire:client ...
                                                          memory's figures of another build of this program (DIR: its output folder) and of this one,
                                                          alternated in each process (each build in its own load context): ratios per process
                      gateway [--smoke] [--chunks N] [--rounds N] [--concurrency N] [--sync N] [--million N]
                                                          samples/Gateway against YARP forwarding the same OpenAI stream (build the solution first)
                      cold-start [--processes N (9)] [--smoke]
                                                          fresh processes per kind of first build below, with the image and the JIT only, and the floor
                      cold [folder|shipped|first-client|first-call] | cold-floor | cold-hand-call | cold-meter [after-request] | cold-json
                                                          in this fresh process: the first catalog build (ms): the shipped files as a folder (the default),
                                                          the shipped adapters' catalog, that and a first openai client, or that client's first answer
                                                          (an in-process handler answers); or only reading and parsing the files (the floor); or a hand-written first request;
                                                          or the process's first Meter (the runtime's metrics EventSource starts), or that after a first request
                      loopback [options]                  hand-written vs LlmAdapters vs OpenAI SDK over a Kestrel server on 127.0.0.1
                        --chunks N (20000) --streams N (3 a round) --rounds N (15) --warmup N (5) --sync N (1000) --ttfc N (600) --concurrency N (64)
                        --concurrent-chunks N (2000) --batch N (1: the server flushes every event) --million N (1000000) | --no-million
                        --cold-runs N (5: fresh processes timing their first catalog build, with the image and the JIT only, and the floor)
                        --jit-warmup N (20000: sync calls and short streams per variant before the rounds)
                        --smoke   500 chunks, 1 round, no million-chunk stream: checks every text, exits 1 on a mismatch
                    """);
                return 2;
        }
    }

    private static int Micro(string[] args)
    {
        if (!args.Any(a => a is "--filter" or "-f" or "--list" or "--info" or "-h" or "--help"))
        {
            args = [.. args, "--filter", "*"]; // run everything rather than ask on the console
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
