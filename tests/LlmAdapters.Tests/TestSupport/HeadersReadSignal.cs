namespace LlmAdapters.Tests.TestSupport;

/// <summary>
/// A real socket handler that completes <see cref="HeadersRead"/> once a response's headers have reached the client: a
/// server that resets the connection mid-body waits for it, since a reset that overtakes the headers discards them too.
/// </summary>
internal sealed class HeadersReadSignal() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly TaskCompletionSource _headersRead = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task HeadersRead => _headersRead.Task;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        _headersRead.TrySetResult();
        return response;
    }
}
