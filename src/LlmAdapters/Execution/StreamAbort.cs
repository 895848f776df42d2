namespace LlmAdapters.Execution;

/// <summary>Closes the connection under a response body that was not read to its end, so that the vendor sees the disconnect at once.</summary>
/// <remarks>
/// Disposing the body alone lets SocketsHttpHandler drain the rest to reuse the connection (up to MaxResponseDrainSize,
/// for up to ResponseDrainTimeout, 2 s by default), and all that time the vendor goes on generating. A read that is
/// pending when it is cancelled closes the connection instead (a read cancelled before it starts does not), so: read
/// what is already buffered, then cancel the first read that has to wait for the network.
/// </remarks>
internal static class StreamAbort
{
    private const int MaxBufferedReads = 64;

    public static async ValueTask AbortAsync(Stream body)
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var cancel = new CancellationTokenSource();
        try
        {
            for (var i = 0; i < MaxBufferedReads; i++)
            {
                var read = body.ReadAsync(scratch, cancel.Token);
                if (!read.IsCompleted)
                {
                    cancel.Cancel();
                    await read.ConfigureAwait(false);
                    return;
                }

                if (read.Result == 0)
                {
                    return; // the body had ended: nothing to abort
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // The read was cancelled (the connection is closed) or the body had already failed: either way it is over.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
