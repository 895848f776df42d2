// The chat bot's LLM_API plugin, rebuilt on LlmAdapters: an event handler taking {history, max_tokens, temperature} and
// returning {text, status, error}, configured by url, api and model. This entry point runs the plugin's test command
// (/tllma): a fixed system and user prompt. Settings come from CHATBOT_URL, CHATBOT_API and CHATBOT_MODEL; with none
// of them set, it starts the loopback demo server and uses that.
using ChatBotPlugin;
using LlmAdapters.Samples;

var settings = ChatBotSettings.FromEnvironment();
await using var demo = settings.IsEmpty ? await DemoServer.StartAsync() : null;
if (demo is not null)
{
    settings = new ChatBotSettings { Url = demo.BaseUrl, Api = DemoServer.ApiKey, Model = DemoServer.Model };
    Console.WriteLine($"No CHATBOT_URL, CHATBOT_API or CHATBOT_MODEL set: using the demo server at {demo.BaseUrl}");
}
else
{
    Console.WriteLine($"Calling {settings.Url ?? "(no url)"} with model {settings.Model ?? "(no model)"} ...");
}

using var handler = new LlmApiPlugin(settings);
var result = await handler.HandleAsync(LlmApiPlugin.TestEvent);
Console.WriteLine($"/tllma → {result.Text}{result.Error}");
Console.WriteLine($"Result: {LlmApiPlugin.ToJson(result)}");
return result.Status == 200 ? 0 : 1;
