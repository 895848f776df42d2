using LlmAdapters.Samples.Tools;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Tools;

public sealed class ToolLoopTests
{
    private DemoServer _demo = null!;

    [OneTimeSetUp]
    public async Task StartDemoServer() => _demo = await DemoServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopDemoServer() => await _demo.DisposeAsync();

    private ILlmClient Client(HttpClient http) => LlmCatalog.BuiltIn.CreateClient(
        new LlmProfile { Adapter = "openai", BaseUrl = _demo.BaseUrl, Variables = { ["apikey"] = DemoServer.ApiKey, ["model"] = DemoServer.Model } },
        http);

    [TestCase(true)]
    [TestCase(false)]
    public async Task TheToolRuns_AndTheAnswerUsesItsResult(bool stream)
    {
        using var http = new HttpClient();
        var log = new StringWriter();

        var (answer, calls) = await ToolLoop.RunAsync(Client(http), "What is the weather in Paris?", stream, log);

        Assert.That(calls, Is.EqualTo(new[] { "Paris" }), "the demo server asked for get_weather(city: Paris), once");
        Assert.That(answer, Is.EqualTo(DemoServer.AnswerWithToolResult("Paris: 14°C, light rain")));
        Assert.That(log.ToString(), Does.Contain("(tool) get_weather(city: Paris)"));
    }
}
