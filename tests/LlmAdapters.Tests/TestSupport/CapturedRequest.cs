using System.Net;
using System.Text;
using RichardSzalay.MockHttp;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>What a client sent, read inside the mock handler (before the request is disposed).</summary>
internal sealed record CapturedRequest(HttpMethod Method, Uri Url, IReadOnlyDictionary<string, string> Headers, string? Body, string? ContentType)
{
    public static async Task<CapturedRequest> FromAsync(HttpRequestMessage request)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        string? body = null;
        string? contentType = null;
        if (request.Content is not null)
        {
            body = await request.Content.ReadAsStringAsync();
            contentType = request.Content.Headers.ContentType?.ToString();
        }

        return new CapturedRequest(request.Method, request.RequestUri!, headers, body, contentType);
    }
}

/// <summary>A MockHttp handler that answers every request with one canned response and records what it received.</summary>
internal sealed class RecordingHandler
{
    public MockHttpMessageHandler Mock { get; } = new();

    public List<CapturedRequest> Requests { get; } = [];

    public CapturedRequest Last => Requests[^1];

    public static RecordingHandler Json(string body, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseMessage>? configure = null)
        => Respond(() =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            configure?.Invoke(response);
            return response;
        });

    /// <summary>Answers requests with the given responses in order (status, JSON body, optional headers); one more request fails the test.</summary>
    public static RecordingHandler Sequence(params (HttpStatusCode Status, string Body)[] responses)
    {
        var queue = new Queue<(HttpStatusCode Status, string Body)>(responses);
        return Respond(() =>
        {
            if (queue.Count == 0)
            {
                Assert.Fail("The client sent more requests than the test expected.");
            }

            var (status, body) = queue.Dequeue();
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (status == HttpStatusCode.TooManyRequests)
            {
                response.Headers.Add("Retry-After", "17");
            }

            return response;
        });
    }

    public static RecordingHandler Respond(Func<HttpResponseMessage> respond)
    {
        var handler = new RecordingHandler();
        handler.Mock.When("*").Respond(async request =>
        {
            var captured = await CapturedRequest.FromAsync(request);
            lock (handler.Requests)
            {
                // Concurrent tests send from many threads at once.
                handler.Requests.Add(captured);
                return respond();
            }
        });
        return handler;
    }
}
