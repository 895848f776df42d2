using System.Net;
using System.Net.Http.Headers;

namespace LlmAdapters.Cli.Http;

/// <summary>Answers every request with a recorded response instead of the network, and keeps what was sent.</summary>
/// <remarks>The n-th request gets the n-th recording (the last one repeats: the polls of an async call); with none, an empty JSON object.</remarks>
internal sealed class ReplayHandler(IReadOnlyList<RecordedResponse> responses, HttpStatusCode statusCode) : HttpMessageHandler
{
    private readonly List<CapturedRequest> _requests = [];

    public IReadOnlyList<CapturedRequest> Requests => _requests;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var captured = await CapturedRequest.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        int index;
        lock (_requests)
        {
            index = _requests.Count;
            _requests.Add(captured);
        }

        var recorded = responses.Count == 0 ? null : responses[Math.Min(index, responses.Count - 1)];
        var content = new ByteArrayContent(recorded?.Body ?? "{}"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(recorded?.ContentType ?? "application/json");
        return new HttpResponseMessage(statusCode) { Content = content, RequestMessage = request };
    }
}
