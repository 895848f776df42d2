// LlmAdapters async calls: submit a text-to-image job, watch its status change while it is polled, print the result.
// With DASHSCOPE_API_KEY set it runs against DashScope (wanx); without it, against the loopback demo server.
using System.Diagnostics;
using LlmAdapters;
using LlmAdapters.Samples;

var apiKey = Environment.GetEnvironmentVariable("DASHSCOPE_API_KEY");
await using var demo = string.IsNullOrEmpty(apiKey) ? await DemoServer.StartAsync() : null;

var profile = new LlmProfile
{
    Adapter = "dashscope",
    BaseUrl = demo?.RootUrl ?? "https://dashscope.aliyuncs.com",
    Variables = { ["apikey"] = demo is null ? apiKey : DemoServer.ApiKey },
};
using var http = new HttpClient();
var client = LlmCatalog.BuiltIn.CreateClient(profile, http);

Console.WriteLine(demo is null ? "Submitting to DashScope ..." : $"No DASHSCOPE_API_KEY set: using the demo server at {demo.RootUrl}");
var clock = Stopwatch.StartNew();
try
{
    // Each update is one step of the poll loop: submitted (with the task id), each poll's status, finished.
    await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Call = "image", Prompt = "一只坐着的橘黄色的猫" }))
    {
        var id = update.Fields.TryGetValue("queryid", out var q) ? $" task {q}" : string.Empty;
        Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0.0} s] {update.Status}{id}");
        if (update.Status == "finished")
        {
            Console.WriteLine($"Image: {update.Text}");
        }
    }
}
catch (LlmPollException e)
{
    // e.QueryId lets you wait for the same task later: new LlmRequest { Call = "image", QueryId = e.QueryId }.
    Console.Error.WriteLine(e.Message);
    return 1;
}
catch (LlmException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;
