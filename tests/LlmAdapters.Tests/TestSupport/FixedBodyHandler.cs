using System.Net;
using System.Net.Http.Headers;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>
/// Answers every request with the same bytes, made once: a test that counts allocations then counts the library's, not
/// the encoding of a response body per request (as a handler built from a string would).
/// </summary>
internal sealed class FixedBodyHandler(byte[] body, string contentType = "text/event-stream") : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
    }
}
