// LlmAdapters quick start: configure a profile, create a client, ask a question.
// With LLM_API_KEY set it calls a real OpenAI-compatible vendor (LLM_BASE_URL, LLM_MODEL; Kimi by default);
// without it, it starts the loopback demo server so you can see it work without an account.
using LlmAdapters;
using LlmAdapters.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var apiKey = Environment.GetEnvironmentVariable("LLM_API_KEY");
await using var demo = string.IsNullOrEmpty(apiKey) ? await DemoServer.StartAsync() : null;

var settings = new Dictionary<string, string?>
{
    ["LlmAdapters:Profiles:kimi:Adapter"] = "openai",
    ["LlmAdapters:Profiles:kimi:BaseUrl"] = demo?.BaseUrl ?? Environment.GetEnvironmentVariable("LLM_BASE_URL") ?? "https://api.moonshot.cn/v1",
    ["LlmAdapters:Profiles:kimi:Variables:apikey"] = demo is null ? apiKey : DemoServer.ApiKey,
    ["LlmAdapters:Profiles:kimi:Variables:model"] = demo is null ? Environment.GetEnvironmentVariable("LLM_MODEL") ?? "moonshot-v1-8k" : DemoServer.Model,
};
var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

var services = new ServiceCollection();
services.AddLlmAdapters(configuration.GetSection("LlmAdapters"));   // the shipped adapters are built in
await using var provider = services.BuildServiceProvider();

var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("kimi");
Console.WriteLine(demo is null ? $"Calling {settings["LlmAdapters:Profiles:kimi:BaseUrl"]} ..." : $"No LLM_API_KEY set: using the demo server at {demo.BaseUrl}");

try
{
    LlmResponse r = await client.CallAsync(new LlmRequest { Messages = [new("user", "你好")], MaxTokens = 256 });
    Console.WriteLine($"Answer: {r.Text}");
    Console.WriteLine($"Tokens: {r.Usage?.InputTokens} in, {r.Usage?.OutputTokens} out; finish reason: {r.FinishReason}");
}
catch (LlmException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;
