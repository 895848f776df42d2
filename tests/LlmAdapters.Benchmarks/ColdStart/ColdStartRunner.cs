using System.Globalization;
using LlmAdapters.Benchmarks.Loopback;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.ColdStart;

/// <summary>
/// <c>cold-start</c>: each kind of first build (<see cref="ColdStart.Kinds"/>) in fresh processes, with the package's
/// ReadyToRun image and with the JIT only (<c>DOTNET_ReadyToRunExcludeList=LlmAdapters</c>), alternated with the floor
/// process by process, so that the machine's noise falls on all alike.
/// </summary>
public static class ColdStartRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The target for a first build without the image.</summary>
    private const double JitOnlyTargetMs = 35;

    public static async Task<int> RunAsync(string[] args)
    {
        var processes = 9;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--processes" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, Inv, out var n) && n > 0:
                    processes = n;
                    i++;
                    break;
                case "--smoke":
                    processes = 1;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown option {args[i]}. Options: --processes N (9) --smoke");
                    return 2;
            }
        }

        var floor = new List<double>();
        var handCall = new List<double>();
        var meter = new List<double>();
        var meterAfterRequest = new List<double>();
        var json = new List<double>();
        var image = ColdStart.Kinds.ToDictionary(k => k, _ => new List<double>());
        var jitOnly = ColdStart.Kinds.ToDictionary(k => k, _ => new List<double>());
        Console.WriteLine($"# Cold start: {processes} fresh process(es) per kind and runtime, alternated");
        Console.WriteLine();
        Console.WriteLine($"- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores; load average at the start: {RunStats.LoadAverage()}");
        for (var p = 0; p < processes; p++)
        {
            floor.Add(await ServerProcess.ColdBuildMsAsync(false, "cold-floor"));
            handCall.Add(await ServerProcess.ColdBuildMsAsync(false, "cold-hand-call"));
            meter.Add(await ServerProcess.ColdBuildMsAsync(false, "cold-meter"));
            meterAfterRequest.Add(await ServerProcess.ColdBuildMsAsync(false, "cold-meter", "after-request"));
            json.Add(await ServerProcess.ColdBuildMsAsync(false, "cold-json"));
            foreach (var kind in ColdStart.Kinds)
            {
                image[kind].Add(await ServerProcess.ColdBuildMsAsync(false, "cold", kind));
                jitOnly[kind].Add(await ServerProcess.ColdBuildMsAsync(true, "cold", kind));
            }
        }

        Console.WriteLine($"- load average at the end: {RunStats.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| first build (ms) | with the image: median (min to max) | the JIT only: median (min to max) | JIT only, above the floor | JIT only ≤ 35 ms |");
        Console.WriteLine("| --- | --- | --- | ---: | --- |");
        var floorMedian = RunStats.Median(floor);
        Console.WriteLine(string.Create(Inv, $"| the floor: the same files read and parsed with JsonDocument, nothing else (`cold-floor`) | {Range(floor)} | (no library code) | | |"));
        Console.WriteLine(string.Create(Inv, $"| a hand-written first request through the same HttpClient and handler, JSON loaded before the clock (`cold-hand-call`): the framework's part of a first call | {Range(handCall)} | (no library code) | | |"));
        Console.WriteLine(string.Create(Inv, $"| the process's first Meter and instrument, as a client's telemetry makes them (`cold-meter`): the runtime's metrics EventSource starting, part of a first client | {Range(meter)} | (no library code) | | |"));
        Console.WriteLine(string.Create(Inv, $"| the same after a first request through SocketsHttpHandler, whose own Meter started it (`cold-meter after-request`) | {Range(meterAfterRequest)} | (no library code) | | |"));
        Console.WriteLine(string.Create(Inv, $"| the process's first JSON read, 13 bytes with Utf8JsonReader (`cold-json`): System.Text.Json's own first use, part of a first client (of a catalog's build before the fifteenth round) | {Range(json)} | (no library code) | | |"));
        foreach (var kind in ColdStart.Kinds)
        {
            var median = RunStats.Median(jitOnly[kind]);
            var target = kind == "folder" ? "(every file checked at load)" : median <= JitOnlyTargetMs ? "met" : "NOT met";
            Console.WriteLine(string.Create(Inv, $"| {Describe(kind)} (`cold {kind}`) | {Range(image[kind])} | {Range(jitOnly[kind])} | {median - floorMedian:0.0} | {target} |"));
        }

        return 0;
    }

    private static string Describe(string kind) => kind switch
    {
        "folder" => "the 13 shipped files as a user's folder, `AddDirectory(adapters).Build()`",
        "shipped" => "the shipped adapters' catalog, `AddBuiltInAdapters().Build()`",
        "first-client" => "the same and a first `openai` client",
        "first-call" => "the same and that client's first answer (`CallAsync`; an in-process handler answers)",
        _ => kind,
    };

    private static string Range(List<double> values)
        => string.Create(Inv, $"{RunStats.Median(values):0.0} ({values.Min():0.0} to {values.Max():0.0})");
}
