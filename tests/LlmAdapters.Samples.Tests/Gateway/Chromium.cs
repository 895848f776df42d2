using System.Diagnostics;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Debian's headless Chromium (<c>/usr/bin/chromium</c>), driven from the command line; installed on first use when missing.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Installs Chromium when it is missing (<see cref="DebianPackage"/>).</summary>
    public static Task EnsureInstalledAsync() => DebianPackage.EnsureAsync("chromium", Path, "The status-page test");

    /// <summary>The page's DOM after its scripts ran (5 s of virtual time: the page's first refresh and one more).</summary>
    public static Task<string> DumpDomAsync(string url) => RunAsync(["--virtual-time-budget=5000", "--dump-dom", url]);

    /// <summary>A PNG of the page at 1200×900 after its scripts ran.</summary>
    public static Task ScreenshotAsync(string url, string file) => RunAsync(["--virtual-time-budget=5000", "--window-size=1200,900", "--hide-scrollbars", $"--screenshot={file}", url]);

    private static async Task<string> RunAsync(string[] arguments)
    {
        await EnsureInstalledAsync();
        var profile = Directory.CreateTempSubdirectory("chromium-");
        try
        {
            var start = new ProcessStartInfo(Path)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                $"--user-data-dir={profile.FullName}",
            }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"Chromium did not finish within {Limit.TotalSeconds} s: {string.Join(' ', arguments)}");
            }

            if (process.ExitCode != 0)
            {
                Assert.Fail($"Chromium exited with {process.ExitCode}: {await errors}");
            }

            return await output;
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Chromium's helpers may still hold a file for a moment; the temp folder is cleaned eventually.
            }
        }
    }
}
