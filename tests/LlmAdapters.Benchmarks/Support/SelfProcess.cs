using System.Diagnostics;

namespace LlmAdapters.Benchmarks.Support;

/// <summary>This program started again in a process of its own (fresh processes for the cold start, the in-memory runs, the servers).</summary>
public static class SelfProcess
{
    /// <summary>The start of this program with <paramref name="args"/>: its apphost, or dotnet and its assembly; standard output redirected.</summary>
    public static ProcessStartInfo Info(params string[] args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var info = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, FileName = self };
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(Program).Assembly.Location); // run through the dotnet host
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>
    /// Runs this program with <paramref name="args"/> to its end, with DOTNET_TC_CallCountingDelayMs=0 (so that a short
    /// process tiers its methods up as a long-running one does); its exit code and what it wrote.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunTieredAsync(params string[] args)
    {
        var info = Info(args);
        info.RedirectStandardError = true;
        info.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        using var child = Process.Start(info) ?? throw new InvalidOperationException("The process did not start.");
        var output = child.StandardOutput.ReadToEndAsync();
        var error = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        return (child.ExitCode, await output, await error);
    }
}
