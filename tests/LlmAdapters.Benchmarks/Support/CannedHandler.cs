using System.Net.Http.Headers;

namespace LlmAdapters.Benchmarks.Support;

/// <summary>
/// An HTTP handler that answers every request with the same bytes, read from a new MemoryStream each time: no network.
/// It reads the request body first, as a transport would, so that lazily built bodies are paid for. Given the body's
/// events, it serves one event per read instead (<see cref="EventReadsStream"/>).
/// </summary>
public sealed class CannedHandler(byte[] body, string contentType, byte[][]? events = null) : HttpMessageHandler
{
    private readonly MediaTypeHeaderValue _contentType = MediaTypeHeaderValue.Parse(contentType);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request, Content = new StreamContent(Body(body, events)) };
        response.Content.Headers.ContentType = _contentType;
        return response;
    }

    /// <summary>The body as a stream: all of it at once, or one event per read.</summary>
    public static Stream Body(byte[] body, byte[][]? events) => events is null ? new MemoryStream(body, writable: false) : new EventReadsStream(events);
}
