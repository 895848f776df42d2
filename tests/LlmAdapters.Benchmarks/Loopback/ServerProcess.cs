using System.Diagnostics;
using System.Globalization;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>This program started again as "serve": the loopback Kestrel server in its own process.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl { get; }

    public static async Task<ServerProcess> StartAsync(int batch)
    {
        var info = Self("serve", "--batch", batch.ToString(CultureInfo.InvariantCulture));
        info.RedirectStandardInput = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException("The server process did not start.");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException($"The server process exited (code {(process.HasExited ? process.ExitCode : -1)}) without listening.");
                if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    return new ServerProcess(process, line["LISTENING ".Length..].Trim());
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

    /// <summary>Starts this program again with <paramref name="args"/>, its standard output redirected.</summary>
    public static ProcessStartInfo Self(params string[] args)
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

    /// <summary>Runs "cold" in a fresh process: the milliseconds of the first catalog build there.</summary>
    public static async Task<double> ColdBuildMsAsync()
    {
        using var process = Process.Start(Self("cold")) ?? throw new InvalidOperationException("The cold-start process did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 && double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : throw new InvalidOperationException($"The cold-start process failed (exit code {process.ExitCode}): {output}");
    }

    public async ValueTask DisposeAsync()
    {
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
