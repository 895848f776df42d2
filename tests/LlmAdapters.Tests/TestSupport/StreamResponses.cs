using System.Net;
using System.Text;

namespace LlmAdapters.Tests.TestSupport;

internal static class StreamResponses
{
    /// <summary>A handler that answers every request with the given body, as the given content type.</summary>
    public static RecordingHandler Body(string body, string contentType = "text/event-stream", HttpStatusCode status = HttpStatusCode.OK)
        => RecordingHandler.Respond(() => new HttpResponseMessage(status) { Content = new StringContent(body, new UTF8Encoding(false), contentType) });

    /// <summary>OpenAI-style SSE: one data event per piece, a finish chunk, a usage chunk, [DONE].</summary>
    public static string OpenAi(IEnumerable<string> pieces, bool done = true)
    {
        var sb = new StringBuilder();
        foreach (var piece in pieces)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(piece);
            sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":").Append(json).Append("},\"finish_reason\":null}]}\n\n");
        }

        sb.Append("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sb.Append("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}\n\n");
        if (done)
        {
            sb.Append("data: [DONE]\n\n");
        }

        return sb.ToString();
    }

    public static async Task<List<string>> CollectAsync(IAsyncEnumerable<string> stream)
    {
        var pieces = new List<string>();
        await foreach (var piece in stream)
        {
            pieces.Add(piece);
        }

        return pieces;
    }

    public static async Task<List<string>> CollectAsync(IAsyncEnumerable<LlmStreamUpdate> stream)
    {
        var pieces = new List<string>();
        await foreach (var update in stream)
        {
            pieces.Add(update.Text);
        }

        return pieces;
    }
}
