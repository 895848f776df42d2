using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.InMemory;

/// <summary>
/// Two builds of this program (another commit's, given by <c>--base</c>, and this one) measured in memory in the same
/// process, alternated run by run: each build is loaded in its own <see cref="AssemblyLoadContext"/> and its
/// <c>memory --wire W --client C</c> runs in turn with the other's, so both see the same load on a shared machine. A
/// process's code layout still moves a build's figure by a few per cent, so several processes run (<c>--processes N</c>)
/// and the table gives each one's ratio of medians (this build ÷ the base) and their median. With <c>--per-event</c>, each
/// read of a body returns one event, as on loopback (<c>memory --per-event</c>).
/// </summary>
public static class AlternateRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        string? baseDirectory = null;
        int rounds = 12, processes = 4;
        var inProcess = false;
        var perEvent = false;
        var cases = new List<(string Wire, string Client)>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--base": baseDirectory = Path.GetFullPath(args[++i]); break;
                case "--rounds": rounds = int.Parse(args[++i], Inv); break;
                case "--processes": processes = int.Parse(args[++i], Inv); break;
                case "--in-process": inProcess = true; break;
                case "--per-event": perEvent = true; break;
                default:
                    var parts = args[i].Split(':');
                    if (parts.Length != 2)
                    {
                        throw new ArgumentException($"Unknown option {args[i]}. Usage: alternate --base <the other build's output folder> [--rounds N (12)] [--processes N (4)] wire:client ...");
                    }

                    cases.Add((parts[0], parts[1]));
                    break;
            }
        }

        if (baseDirectory is null || !File.Exists(Path.Combine(baseDirectory, "LlmAdapters.Benchmarks.dll")) || cases.Count == 0)
        {
            Console.Error.WriteLine("alternate --base <folder holding the other build's LlmAdapters.Benchmarks.dll> [--rounds N] [--processes N] wire:client ... (e.g. anthropic:updates)");
            return 2;
        }

        return inProcess ? await InProcessAsync(baseDirectory, rounds, perEvent, cases) : await InProcessesAsync(baseDirectory, rounds, processes, perEvent, cases);
    }

    /// <summary>Each case's median ns per chunk for the base (A) and this build (B), alternated round by round, printed one line each.</summary>
    private static async Task<int> InProcessAsync(string baseDirectory, int rounds, bool perEvent, List<(string Wire, string Client)> cases)
    {
        var builds = new[] { baseDirectory, AppContext.BaseDirectory }.Select(directory =>
        {
            var path = Path.Combine(directory, "LlmAdapters.Benchmarks.dll");
            return new BuildContext(path).LoadFromAssemblyPath(path).EntryPoint!;
        }).ToArray();
        var figures = new Dictionary<(int Case, int Build), List<double>>();
        var console = Console.Out;
        for (var round = 0; round < rounds; round++)
        {
            for (var c = 0; c < cases.Count; c++)
            {
                for (var k = 0; k < 2; k++)
                {
                    var build = round % 2 == 0 ? k : 1 - k; // (which goes first alternates too)
                    using var output = new StringWriter(Inv);
                    Console.SetOut(output);
                    int exitCode;
                    try
                    {
                        // The first round warms each build's code up as the memory command does; later rounds need little.
                        string[] memory = ["memory", "--wire", cases[c].Wire, "--client", cases[c].Client, "--rounds", "10", "--warmup", round == 0 ? "15" : "2", .. (perEvent ? new[] { "--per-event" } : [])];
                        exitCode = builds[build].Invoke(null, [memory]) switch
                        {
                            Task<int> task => await task,
                            int code => code,
                            var other => throw new InvalidOperationException($"Main returned {other}"),
                        };
                    }
                    finally
                    {
                        Console.SetOut(console);
                    }

                    var words = output.ToString().Split(' ');
                    if (exitCode != 0 || words.Length < 6)
                    {
                        Console.Error.WriteLine($"{cases[c].Wire} {cases[c].Client} ({(build == 0 ? "base" : "this build")}): exit code {exitCode}: {output}");
                        return 1;
                    }

                    (figures.TryGetValue((c, build), out var list) ? list : figures[(c, build)] = []).Add(double.Parse(words[2], Inv));
                }
            }
        }

        for (var c = 0; c < cases.Count; c++)
        {
            // The first round (the JIT's warm-up) is left out.
            Console.WriteLine(string.Create(Inv, $"{cases[c].Wire} {cases[c].Client} {RunStats.Median(figures[(c, 0)].Skip(1).ToList()):0.0} {RunStats.Median(figures[(c, 1)].Skip(1).ToList()):0.0}"));
        }

        return 0;
    }

    private static async Task<int> InProcessesAsync(string baseDirectory, int rounds, int processes, bool perEvent, List<(string Wire, string Client)> cases)
    {
        Console.WriteLine(string.Create(Inv, $"# {processes} processes, each alternating the base ({baseDirectory}) and this build, {rounds} rounds ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {RunStats.LoadAverage()})"));
        var medians = cases.ToDictionary(c => $"{c.Wire} {c.Client}", _ => (Base: new List<double>(), Now: new List<double>()));
        for (var p = 0; p < processes; p++)
        {
            var (exitCode, output, error) = await SelfProcess.RunTieredAsync([.. new[] { "alternate", "--in-process", "--base", baseDirectory, "--rounds", rounds.ToString(Inv) }.Concat(perEvent ? ["--per-event"] : []).Concat(cases.Select(c => $"{c.Wire}:{c.Client}"))]);
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"process {p + 1}: exit code {exitCode}: {output}{error}");
                return 1;
            }

            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var words = line.Split(' ');
                var (baseFigures, nowFigures) = medians[$"{words[0]} {words[1]}"];
                baseFigures.Add(double.Parse(words[2], Inv));
                nowFigures.Add(double.Parse(words[3], Inv));
            }
        }

        Console.WriteLine("| wire and client | base, ns per chunk (median of each process) | this build | this ÷ base, each process | median |");
        Console.WriteLine("| --- | --- | --- | --- | ---: |");
        foreach (var (name, (baseFigures, nowFigures)) in medians)
        {
            var ratios = baseFigures.Zip(nowFigures, (b, n) => n / b).ToList();
            Console.WriteLine(string.Create(Inv, $"| {name} | {string.Join(" ", baseFigures.Select(v => v.ToString("0", Inv)))} | {string.Join(" ", nowFigures.Select(v => v.ToString("0", Inv)))} | {string.Join(" ", ratios.Select(r => r.ToString("0.00", Inv)))} | {RunStats.Median(ratios):0.00} |"));
        }

        return 0;
    }

    /// <summary>A build's own context: its assemblies from its folder, the framework's from the default context.</summary>
    private sealed class BuildContext(string mainAssembly) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName assemblyName)
            => _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
