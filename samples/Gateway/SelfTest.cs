using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gateway;

/// <summary>The smoke test of <c>--self-test</c>: one whole and one streamed completion through the running gateway, then its stats.</summary>
internal static class SelfTest
{
    public static async Task<int> RunAsync(string baseUrl, IConfiguration configuration)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (GatewayKeys.Read(configuration).FirstOrDefault() is { } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var models = JsonDocument.Parse(await http.GetStringAsync("v1/models"));
        var model = models.RootElement.GetProperty("data")[0].GetProperty("id").GetString()!;
        Console.WriteLine($"Models: {string.Join(", ", models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()))}");

        var body = $$"""{"model":{{JsonSerializer.Serialize(model)}},"messages":[{"role":"user","content":"你好"}]}""";
        using (var response = await http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json")))
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"HTTP {(int)response.StatusCode}: {text}");
                return 1;
            }

            using var json = JsonDocument.Parse(text);
            Console.WriteLine($"Answer: {json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()}");
        }

        var streamBody = body.Insert(body.Length - 1, ""","stream":true,"stream_options":{"include_usage":true}""");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(streamBody, Encoding.UTF8, "application/json") })
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            var answer = new StringBuilder();
            var chunks = 0;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                {
                    continue;
                }

                using var chunk = JsonDocument.Parse(line["data: ".Length..]);
                chunks++;
                if (chunk.RootElement.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                    && choices[0].GetProperty("delta").TryGetProperty("content", out var content))
                {
                    answer.Append(content.GetString());
                }
                else if (chunk.RootElement.TryGetProperty("usage", out var usage))
                {
                    Console.WriteLine($"Stream usage: {usage.GetProperty("prompt_tokens")} in, {usage.GetProperty("completion_tokens")} out");
                }
            }

            Console.WriteLine($"Stream ({chunks} chunks): {answer}");
        }

        using var stats = JsonDocument.Parse(await http.GetStringAsync("stats"));
        var totals = stats.RootElement.GetProperty("totals");
        Console.WriteLine($"Stats: {totals.GetProperty("requests")} requests, {totals.GetProperty("errors")} errors, {totals.GetProperty("inputTokens")} input and {totals.GetProperty("outputTokens")} output tokens");
        return 0;
    }
}
