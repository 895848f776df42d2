using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests;

/// <summary>
/// A Debian package a test needs (Chromium for the status page, redis-server for the multi-instance gateway), installed
/// on first use when its program is missing, with the repository's one script (.ci/install-debian-package.sh, copied next
/// to the tests: apt-get as root, once, under a file lock). Fails the test (never skips it) when it cannot, with the
/// script's words on how to install the package by hand.
/// </summary>
internal static class DebianPackage
{
    /// <summary>apt-get update and install, plus the wait for another process's install under the script's lock.</summary>
    private static readonly TimeSpan InstallLimit = TimeSpan.FromMinutes(40);

    private static readonly ConcurrentDictionary<string, Lazy<Task>> Installations = new(StringComparer.Ordinal);

    /// <summary>Makes sure <paramref name="program"/> exists, installing <paramref name="package"/> when it does not; <paramref name="neededBy"/> says which test needs it.</summary>
    public static Task EnsureAsync(string package, string program, string neededBy)
        => File.Exists(program) ? Task.CompletedTask : Installations.GetOrAdd(package, _ => new Lazy<Task>(() => InstallAsync(package, program, neededBy))).Value;

    private static async Task InstallAsync(string package, string program, string neededBy)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "install-debian-package.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(package);
        start.ArgumentList.Add(program);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(InstallLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Installing {package} ({script}) did not finish within {InstallLimit.TotalMinutes} minutes. Install it yourself: sudo apt-get install {package}.");
        }

        var said = (await errors).Trim();
        await output;
        if (process.ExitCode != 0 || !File.Exists(program))
        {
            Assert.Fail($"{neededBy} needs {package} at {program}, and installing it failed (exit code {process.ExitCode}): {(said.Length <= 2000 ? said : "..." + said[^2000..])}");
        }
    }
}
