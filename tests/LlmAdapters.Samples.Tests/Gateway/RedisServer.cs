using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>
/// A throwaway redis-server (Debian's package, <c>/usr/bin/redis-server</c>) on a free loopback port, without persistence;
/// installed on first use when missing, with the repository's one script (.ci/install-debian-package.sh, see <see cref="DebianPackage"/>).
/// </summary>
internal sealed class RedisServer : IDisposable
{
    public const string Path = "/usr/bin/redis-server";

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);

    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts a server (installing redis-server first when it is missing; fails the test, never skips it, when it cannot).</summary>
    public static async Task<RedisServer> StartAsync()
    {
        await DebianPackage.EnsureAsync("redis-server", Path, "The multi-instance gateway test");

        // A port another process takes between our probe and redis-server's bind makes redis-server exit: try a few.
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice" })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var log = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, line) =>
            {
                lock (log)
                {
                    log.AppendLine(line.Data);
                }

                if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            process.BeginOutputReadLine();
            var exited = process.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(StartLimit);
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(Timeout.Infinite, timeout.Token));
            if (first == ready.Task)
            {
                return new RedisServer(process, port);
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            lock (log)
            {
                failures.Add(log.ToString());
            }

            process.Dispose();
        }

        Assert.Fail($"redis-server did not start: {string.Join(" | ", failures)}");
        throw new InvalidOperationException("unreachable");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
