using ChatBotPlugin;
using LlmAdapters.Samples;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.ChatBotPlugin;

public sealed class LlmApiPluginTests
{
    private DemoServer _demo = null!;

    [OneTimeSetUp]
    public async Task StartDemoServer() => _demo = await DemoServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopDemoServer() => await _demo.DisposeAsync();

    [Test]
    public async Task Event_ReturnsTheVendorsAnswer_WithStatus200()
    {
        using var plugin = new LlmApiPlugin(new ChatBotSettings { Url = _demo.BaseUrl, Api = DemoServer.ApiKey, Model = DemoServer.Model });

        var result = await plugin.HandleAsync(LlmApiPlugin.TestEvent);

        Assert.That(result, Is.EqualTo(new LlmEventResult(DemoServer.AnswerTo("你好，请介绍一下你自己。"), 200, "")));
    }

    [Test]
    public async Task EventJson_InAndOut_InThePluginsShape()
    {
        using var plugin = new LlmApiPlugin(new ChatBotSettings { Url = _demo.BaseUrl, Api = DemoServer.ApiKey, Model = DemoServer.Model });

        var json = await plugin.HandleJsonAsync("""
            {
              "history": [
                { "role": "system", "content": "系统提示内容" },
                { "role": "user", "content": "用户输入内容" },
              ],
              "max_tokens": 4096,
              "temperature": 0.7
            }
            """);

        Assert.That(json, Is.EqualTo($$"""{"text":"{{DemoServer.AnswerTo("用户输入内容").Replace("🙂", "\\uD83D\\uDE42", StringComparison.Ordinal)}}","status":200,"error":""}"""));
    }

    [TestCase(null, DemoServer.ApiKey, DemoServer.Model, "url")]
    [TestCase("BASE", null, DemoServer.Model, "api")]
    [TestCase("BASE", DemoServer.ApiKey, "", "model")]
    [TestCase(null, null, null, "url, api, model")]
    public async Task MissingSetting_Gives501_NamingIt(string? url, string? api, string? model, string missing)
    {
        using var plugin = new LlmApiPlugin(new ChatBotSettings { Url = url == "BASE" ? _demo.BaseUrl : url, Api = api, Model = model });

        var result = await plugin.HandleAsync(LlmApiPlugin.TestEvent);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(501));
            Assert.That(result.Text, Is.Empty);
            Assert.That(result.Error, Does.StartWith("配置项错误").And.Contain($"set {missing} "));
        });
    }

    [Test]
    public async Task InvalidUrl_Gives501()
    {
        using var plugin = new LlmApiPlugin(new ChatBotSettings { Url = "not a url", Api = "k", Model = "m" });

        var result = await plugin.HandleAsync(LlmApiPlugin.TestEvent);

        Assert.That(result.Status, Is.EqualTo(501));
    }

    [Test]
    public async Task WrongKey_GivesTheVendorsStatusAndMessage()
    {
        using var plugin = new LlmApiPlugin(new ChatBotSettings { Url = _demo.BaseUrl, Api = "sk-wrong", Model = DemoServer.Model });

        var result = await plugin.HandleAsync(LlmApiPlugin.TestEvent);

        Assert.That(result, Is.EqualTo(new LlmEventResult("", 401, "Incorrect API key provided.")));
    }

    [Test]
    public async Task InvalidEventJson_Gives400()
    {
        using var plugin = new LlmApiPlugin(new ChatBotSettings { Url = _demo.BaseUrl, Api = DemoServer.ApiKey, Model = DemoServer.Model });

        var json = await plugin.HandleJsonAsync("{\"history\": ");

        Assert.That(json, Does.Contain("\"status\":400"));
    }
}
