using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>How a hostile response ends after its bytes are sent.</summary>
internal enum HostileEnd
{
    /// <summary>The server closes the connection (FIN).</summary>
    Close,

    /// <summary>The server resets the connection (RST): the bytes not yet read by the client may be lost.</summary>
    Reset,

    /// <summary>The server keeps the connection open and sends nothing more, until the case ends.</summary>
    Hang,
}

/// <summary>One response of a hostile server: raw bytes (status line, headers, body, all as they go on the wire), and how it ends.</summary>
internal sealed record HostileResponse(byte[] Bytes, HostileEnd End, string Description);

/// <summary>
/// A raw HTTP/1.1 server on 127.0.0.1 (a free port) that answers each request with whatever bytes the case chose:
/// malformed status lines and headers that Kestrel would never send, Content-Length lies, broken chunked encoding,
/// resets and hangs. Each connection serves one request and is then closed (or reset, or held).
/// </summary>
internal sealed class HostileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly object _gate = new();
    private Func<int, HostileResponse> _respond = _ => throw new InvalidOperationException("no case");
    private TaskCompletionSource _caseEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    public HostileServer()
    {
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string BaseUrl { get; }

    /// <summary>Requests received in the current case.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The responses (by request number within the case) of the next case; ends the current case's hanging connections.</summary>
    public void StartCase(Func<int, HostileResponse> respond)
    {
        lock (_gate)
        {
            _caseEnded.TrySetResult();
            _caseEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _respond = respond;
            _requests = 0;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            using (socket)
            {
                if (!await ReadRequestAsync(socket))
                {
                    return;
                }

                Func<int, HostileResponse> respond;
                Task caseEnded;
                int index;
                lock (_gate)
                {
                    respond = _respond;
                    caseEnded = _caseEnded.Task;
                    index = _requests++;
                }

                var response = respond(index);
                try
                {
                    await socket.SendAsync(response.Bytes, SocketFlags.None, _stop.Token);
                }
                catch (SocketException)
                {
                    return; // the client gave up first
                }

                switch (response.End)
                {
                    case HostileEnd.Close:
                        socket.Shutdown(SocketShutdown.Send);
                        break;
                    case HostileEnd.Reset:
                        socket.LingerState = new LingerOption(true, 0);
                        break;
                    case HostileEnd.Hang:
                        await Task.WhenAny(caseEnded, Task.Delay(Timeout.Infinite, _stop.Token));
                        break;
                }
            }
        }
#pragma warning disable CA1031 // a server connection's failure is the client's doing (it gave up); the case's outcome says what happened
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Reads the request head and its Content-Length body (HttpClient sends JSON with a length); false when the client went away.</summary>
    private async Task<bool> ReadRequestAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        var headEnd = -1;
        while (headEnd < 0)
        {
            if (total == buffer.Length)
            {
                return false; // a request head this large is not ours
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return false;
            }

            total += read;
            headEnd = buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8);
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headEnd);
        var length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var remaining = length - (total - headEnd - 4);
        while (remaining > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return false;
            }

            remaining -= read;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _caseEnded.TrySetResult();
        }

        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
