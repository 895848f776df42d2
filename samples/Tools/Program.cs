// LlmAdapters tool calling: Microsoft.Extensions.AI's UseFunctionInvocation runs a tool loop over the openai adapter.
// With LLM_API_KEY set it talks to a real OpenAI-compatible vendor (LLM_BASE_URL, LLM_MODEL);
// without it, to the loopback demo server, which asks for the tool and then answers with its result.
using LlmAdapters;
using LlmAdapters.Samples;
using LlmAdapters.Samples.Tools;

var apiKey = Environment.GetEnvironmentVariable("LLM_API_KEY");
await using var demo = string.IsNullOrEmpty(apiKey) ? await DemoServer.StartAsync() : null;

var profile = new LlmProfile
{
    Adapter = "openai",
    BaseUrl = demo?.BaseUrl ?? Environment.GetEnvironmentVariable("LLM_BASE_URL") ?? "https://api.openai.com/v1",
    Variables =
    {
        ["apikey"] = demo is null ? apiKey : DemoServer.ApiKey,
        ["model"] = demo is null ? Environment.GetEnvironmentVariable("LLM_MODEL") ?? "gpt-4.1-mini" : DemoServer.Model,
    },
};

using var http = new HttpClient();
var client = LlmCatalog.BuiltIn.CreateClient(profile, http);
try
{
    Console.WriteLine("Q: What is the weather in Paris?");
    var (answer, _) = await ToolLoop.RunAsync(client, "What is the weather in Paris?", stream: true, Console.Out);
    Console.WriteLine($"A: {answer}");
}
catch (LlmException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;
