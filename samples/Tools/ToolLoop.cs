using System.ComponentModel;
using LlmAdapters;
using Microsoft.Extensions.AI;

namespace LlmAdapters.Samples.Tools;

/// <summary>A tool loop: Microsoft.Extensions.AI's function invocation over an LlmAdapters client.</summary>
public static class ToolLoop
{
    /// <summary>Asks <paramref name="question"/> with a weather tool; the model calls it, the function runs, the model answers.</summary>
    /// <returns>The answer, and the cities the tool was called for.</returns>
    public static async Task<(string Answer, IReadOnlyList<string> Calls)> RunAsync(ILlmClient client, string question, bool stream, TextWriter log, CancellationToken cancellationToken = default)
    {
        var calls = new List<string>();
        var weather = AIFunctionFactory.Create(
            ([Description("The city, such as Paris")] string city) =>
            {
                calls.Add(city);
                log.WriteLine($"  (tool) get_weather(city: {city})");
                return $"{city}: 14°C, light rain";
            },
            "get_weather",
            "Gets the current weather in a city.");

        using var chat = new ChatClientBuilder(client.AsIChatClient()).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [weather] };
        if (!stream)
        {
            var response = await chat.GetResponseAsync(question, options, cancellationToken);
            return (response.Text, calls);
        }

        var text = new System.Text.StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync(question, options, cancellationToken))
        {
            text.Append(update.Text);
        }

        return (text.ToString(), calls);
    }
}
