using System.Diagnostics;
using System.Globalization;

using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>This program started again as "serve": the loopback Kestrel server in its own process.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly bool _exitsOnStdinClose;

    private ServerProcess(Process process, string baseUrl, bool exitsOnStdinClose)
    {
        _process = process;
        BaseUrl = baseUrl;
        _exitsOnStdinClose = exitsOnStdinClose;
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl { get; }

    /// <summary>The CPU time the process has used so far (user and kernel, all threads), in ms.</summary>
    public double CpuMs()
    {
        _process.Refresh();
        return _process.TotalProcessorTime.TotalMilliseconds;
    }

    /// <summary>The process's resident memory, in bytes.</summary>
    public long WorkingSet()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    public static Task<ServerProcess> StartAsync(int batch) => StartAsync(SelfProcess.Info("serve", "--batch", batch.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// Starts <paramref name="info"/>, a server that prints <paramref name="ready"/> and its URL when it listens; one that
    /// does not exit when its stdin closes (<paramref name="exitsOnStdinClose"/> false) is killed when disposed.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo info, string ready = "LISTENING ", bool exitsOnStdinClose = true)
    {
        info.RedirectStandardInput = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException("The server process did not start.");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException($"The server process exited (code {(process.HasExited ? process.ExitCode : -1)}) without listening.");
                var at = line.IndexOf(ready, StringComparison.Ordinal);
                if (at >= 0)
                {
                    // Keep draining its output, so that a chatty server never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                    return new ServerProcess(process, line[(at + ready.Length)..].Trim(), exitsOnStdinClose);
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="mode"/> (<c>cold [kind]</c> or <c>cold-floor</c>) in a fresh process and returns the
    /// milliseconds it prints; <paramref name="jitOnly"/> keeps the runtime from loading the library's ReadyToRun image, as
    /// on a platform the package has none for.
    /// </summary>
    public static async Task<double> ColdBuildMsAsync(bool jitOnly = false, params string[] mode)
    {
        var info = SelfProcess.Info(mode.Length == 0 ? ["cold"] : mode);
        if (jitOnly)
        {
            info.Environment["DOTNET_ReadyToRunExcludeList"] = "LlmAdapters";
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("The cold-start process did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 && double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : throw new InvalidOperationException($"The cold-start process failed (exit code {process.ExitCode}): {output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exitsOnStdinClose)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            return;
        }

        try
        {
            _process.StandardInput.Close(); // the server exits when its stdin closes
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
