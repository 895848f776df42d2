using System.Text;
using System.Text.Json;
using LlmAdapters.Cli.Output;

namespace LlmAdapters.Cli.Http;

/// <summary>A request as it would have gone on the wire: method, URL, headers (content headers included) and body text.</summary>
internal sealed record CapturedRequest(string Method, Uri Uri, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body)
{
    public static async Task<CapturedRequest> CaptureAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value))).ToList();
        string? body = null;
        if (request.Content is not null)
        {
            headers.AddRange(request.Content.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value))));
            body = await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        return new CapturedRequest(request.Method.Method, request.RequestUri!, headers, body);
    }

    /// <summary>The request as text, like an HTTP message: a JSON body indented, every secret masked.</summary>
    public string Format(SecretMasker masker)
    {
        ArgumentNullException.ThrowIfNull(masker);
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Uri.AbsoluteUri).Append('\n');
        foreach (var (name, value) in Headers)
        {
            text.Append(name).Append(": ").Append(value).Append('\n');
        }

        if (Body is not null)
        {
            text.Append('\n').Append(Indent(Body)).Append('\n');
        }

        return masker.Apply(text.ToString());
    }

    private static string Indent(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(document.RootElement, JsonDefaults.Indented);
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
