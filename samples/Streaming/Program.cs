// LlmAdapters streaming: print the answer as it arrives, then the usage from the last chunk.
// With LLM_API_KEY set it streams from a real OpenAI-compatible vendor (LLM_BASE_URL, LLM_MODEL);
// without it, from the loopback demo server.
using LlmAdapters;
using LlmAdapters.Samples;

var apiKey = Environment.GetEnvironmentVariable("LLM_API_KEY");
await using var demo = string.IsNullOrEmpty(apiKey) ? await DemoServer.StartAsync() : null;

var profile = new LlmProfile
{
    Adapter = "openai",
    BaseUrl = demo?.BaseUrl ?? Environment.GetEnvironmentVariable("LLM_BASE_URL") ?? "https://api.moonshot.cn/v1",
    Variables =
    {
        ["apikey"] = demo is null ? apiKey : DemoServer.ApiKey,
        ["model"] = demo is null ? Environment.GetEnvironmentVariable("LLM_MODEL") ?? "moonshot-v1-8k" : DemoServer.Model,
    },
};

using var http = new HttpClient();
var client = LlmCatalog.BuiltIn.CreateClient(profile, http);
var request = new LlmRequest { System = "Answer in one sentence.", Prompt = "用一句话介绍你自己。" };

Console.Write("Streaming: ");
try
{
    // StreamUpdatesAsync gives each chunk's text and fields; StreamAsync gives just the text.
    LlmUsage? usage = null;
    await foreach (var update in client.StreamUpdatesAsync(request))
    {
        Console.Write(update.Text);
        usage = update.Usage ?? usage;
    }

    Console.WriteLine();
    Console.WriteLine($"Usage: {usage?.InputTokens} in, {usage?.OutputTokens} out");
}
catch (LlmStreamException e)
{
    Console.WriteLine();
    Console.Error.WriteLine($"The stream failed after {e.ReceivedText.Length} characters: {e.Message}");
    return 1;
}
catch (LlmException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;
