using System.Text;
using System.Text.Json;

namespace Gateway;

/// <summary>
/// Web search through a SearXNG-compatible service: <c>GET {url}/search?q=...&amp;format=json</c>, whose answer lists
/// <c>results[]</c> with <c>title</c>, <c>url</c> and <c>content</c> (SearXNG's JSON API; the instance must have the
/// <c>json</c> format enabled in its settings).
/// </summary>
internal sealed class WebSearch(IHttpClientFactory httpClientFactory, GatewayOptions options)
{
    public const string HttpClientName = "web-search";

    public bool IsConfigured => options.SearchUrl is not null;

    /// <summary>The first results for <paramref name="query"/>.</summary>
    /// <exception cref="WebSearchException">The service could not be reached or did not answer with SearXNG's JSON.</exception>
    public async Task<IReadOnlyList<SearchResult>> SearchAsync(string query, CancellationToken cancellationToken)
    {
        var url = new Uri(options.SearchUrl!.AbsoluteUri.TrimEnd('/') + "/search?format=json&q=" + Uri.EscapeDataString(query));
        var http = httpClientFactory.CreateClient(HttpClientName);
        string body;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new WebSearchException($"The search service answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
        }
        catch (HttpRequestException e)
        {
            throw new WebSearchException($"The search service could not be reached ({e.Message}).");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebSearchException("The search service did not answer in time.");
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                throw new WebSearchException("The search service's answer has no 'results' array (is it SearXNG with format=json enabled?).");
            }

            return [.. results.EnumerateArray()
                .Where(r => r.ValueKind == JsonValueKind.Object)
                .Select(r => new SearchResult(Text(r, "title"), Text(r, "url"), Text(r, "content")))
                .Where(r => r.Title.Length > 0 || r.Content.Length > 0)
                .Take(options.SearchMaxResults)];
        }
        catch (JsonException)
        {
            throw new WebSearchException("The search service did not answer with JSON (is format=json enabled in its settings?).");
        }
    }

    /// <summary>The results as the prompt gets them, inside <c>&lt;search&gt;&lt;/search&gt;</c>.</summary>
    public static string Format(IReadOnlyList<SearchResult> results)
    {
        var text = new StringBuilder("<search>\n");
        for (var i = 0; i < results.Count; i++)
        {
            text.Append('[').Append(i + 1).Append("] ").Append(results[i].Title).Append('\n');
            if (results[i].Url.Length > 0)
            {
                text.Append(results[i].Url).Append('\n');
            }

            if (results[i].Content.Length > 0)
            {
                text.Append(results[i].Content).Append('\n');
            }
        }

        return text.Append("</search>").ToString();
    }

    private static string Text(JsonElement result, string name)
        => result.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : "";
}

/// <summary>One search result.</summary>
internal sealed record SearchResult(string Title, string Url, string Content);

/// <summary>The web search failed; the message says how (never a URL's credentials).</summary>
internal sealed class WebSearchException(string message) : Exception(message);
