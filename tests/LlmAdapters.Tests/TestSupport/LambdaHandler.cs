namespace LlmAdapters.Tests.TestSupport;

/// <summary>An HTTP handler that runs a delegate, for tests that need the request's cancellation token.</summary>
internal sealed class LambdaHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => send(request, cancellationToken);
}
