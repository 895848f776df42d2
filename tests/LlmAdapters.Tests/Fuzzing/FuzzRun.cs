#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>Counts the outcomes of a fuzz run and keeps the failures, each with what is needed to reproduce it.</summary>
internal sealed class FuzzRun(string title)
{
    /// <summary>The time one case may take before it counts as a hang.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _byKind = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public List<string> Failures { get; } = [];

    public int Cases { get; private set; }

    /// <summary>A Random for one case: the same (seed, case) always gives the same mutations.</summary>
    public static Random CaseRandom(int seed, int caseNumber) => new(unchecked((seed * 1_000_003) + caseNumber));

    private readonly Dictionary<string, (int Count, string FirstCase)> _signatures = new(StringComparer.Ordinal);

    private readonly Dictionary<string, TimeSpan> _timeByKind = new(StringComparer.Ordinal);
    private TimeSpan _lastMark;

    public void Record(string kind, string outcome, string? failure = null, Exception? error = null, string? caseName = null)
    {
        Cases++;
        var now = _clock.Elapsed;
        _timeByKind[kind] = _timeByKind.GetValueOrDefault(kind) + (now - _lastMark);
        _lastMark = now;
        if (failure is not null)
        {
            var signature = Signature(error, failure);
            _signatures[signature] = _signatures.TryGetValue(signature, out var s) ? (s.Count + 1, s.FirstCase) : (1, caseName ?? "?");
        }

        _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        if (!_byKind.TryGetValue(kind, out var perKind))
        {
            _byKind[kind] = perKind = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        perKind[outcome] = perKind.GetValueOrDefault(outcome) + 1;
        if (failure is not null)
        {
            Failures.Add(failure);
        }
    }

    /// <summary>Runs one case on the thread pool and waits at most <see cref="CaseTimeout"/>: a hang fails the case instead of blocking CI.</summary>
    /// <returns>The case's exception, null when it completed; <see cref="TimeoutException"/> (with "HANG") when it did not finish in time.</returns>
    public static async Task<Exception?> RunBoundedAsync(Func<CancellationToken, Task> body)
    {
        using var cts = new CancellationTokenSource(CaseTimeout);
        var task = Task.Run(() => body(cts.Token), CancellationToken.None);
        var finished = await Task.WhenAny(task, Task.Delay(CaseTimeout + TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
        if (finished != task)
        {
            return new TimeoutException($"HANG: the case did not finish within {CaseTimeout.TotalSeconds} s");
        }

        try
        {
            await task.ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException e) when (cts.IsCancellationRequested)
        {
            return new TimeoutException($"HANG: the case was still running after {CaseTimeout.TotalSeconds} s and was cancelled", e);
        }
#pragma warning disable CA1031 // every exception is an outcome to classify
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }

    /// <summary>Writes the counts to the test output (docs/reliability.md quotes them).</summary>
    public void Report()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"[fuzz] {title}: {Cases} cases in {_clock.Elapsed.TotalSeconds:0.0} s; ");
        sb.AppendJoin(", ", _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
        sb.AppendLine();
        foreach (var (kind, outcomes) in _byKind.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"[fuzz]   {kind}: ");
            sb.AppendJoin(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
            sb.Append(CultureInfo.InvariantCulture, $" ({_timeByKind.GetValueOrDefault(kind).TotalSeconds:0.00} s)");
            sb.AppendLine();
        }

        foreach (var (signature, (count, first)) in _signatures.OrderByDescending(s => s.Value.Count))
        {
            sb.Append(CultureInfo.InvariantCulture, $"[fuzz]   FAILURE x{count} (first: {first}): {signature}");
            sb.AppendLine();
        }

        TestContext.Out.Write(sb.ToString());
    }

    /// <summary>Fails the test with the first failures (seed, case, input) when there were any.</summary>
    public void AssertNoFailures()
    {
        if (Failures.Count > 0 && Environment.GetEnvironmentVariable("LLMADAPTERS_FUZZ_DUMP") is { Length: > 0 } dump)
        {
            // All failures, for a closer look: LLMADAPTERS_FUZZ_DUMP=/tmp/fuzz dotnet test ...
            File.AppendAllText(dump, string.Join(Environment.NewLine + "----" + Environment.NewLine, Failures) + Environment.NewLine);
        }

        if (Failures.Count > 0)
        {
            Assert.Fail($"{Failures.Count} of {Cases} fuzz cases of {title} failed. The first ones:{Environment.NewLine}{string.Join(Environment.NewLine + "----" + Environment.NewLine, Failures.Take(5))}");
        }
    }

    /// <summary>The exception type and the first library frame: failures with the same signature are one bug.</summary>
    private static string Signature(Exception? error, string failure)
    {
        if (error is null)
        {
            var cut = failure.IndexOf(':', StringComparison.Ordinal);
            return cut > 0 ? failure[..cut] : failure;
        }

        var frame = error.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at LlmAdapters.", StringComparison.Ordinal) && !l.StartsWith("at LlmAdapters.Tests", StringComparison.Ordinal));
        var at = frame is null ? string.Empty : " " + (frame.IndexOf(" in ", StringComparison.Ordinal) is var i and > 0 ? frame[..i] : frame);
        return error.GetType().Name + at;
    }

    public static string Describe(Exception e)
    {
        var text = e.ToString();
        return text.Length > 4000 ? text[..4000] + " ..." : text;
    }
}
