using System.Text.Json;
using LlmAdapters.Cli.Http;
using LlmAdapters.Samples;

namespace LlmAdapters.Cli.Tests.Commands;

public sealed class CallCommandTests
{
    private DemoServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await DemoServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Call_StreamCall_PrintsTheStreamedText()
    {
        var result = await new CliRunner().RunAsync(
            "call", "openai", "--base-url", _server.BaseUrl, "--var", "apikey=" + DemoServer.ApiKey, "--var", "model=" + DemoServer.Model, "Bonjour");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Is.EqualTo(DemoServer.AnswerTo("Bonjour") + "\n"));
    }

    [Test]
    public async Task Call_Json_PrintsTheWholeResponseWithoutTheKey()
    {
        var runner = new CliRunner();
        runner.Environment["LLM_ADAPTERS_OPENAI_APIKEY"] = DemoServer.ApiKey;
        runner.Environment["LLM_ADAPTERS_OPENAI_BASE_URL"] = _server.BaseUrl;

        var result = await runner.RunAsync("call", "openai", "--var", "model=" + DemoServer.Model, "--json", "你好");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.All, Does.Not.Contain(DemoServer.ApiKey));
        using var json = JsonDocument.Parse(result.Out);
        Assert.That(json.RootElement.GetProperty("text").GetString(), Is.EqualTo(DemoServer.AnswerTo("你好")));
        Assert.That(json.RootElement.GetProperty("fields").GetProperty("model").GetString(), Is.EqualTo(DemoServer.Model));
        Assert.That(json.RootElement.GetProperty("statusCode").GetInt32(), Is.EqualTo(200));
        Assert.That(json.RootElement.GetProperty("finishReason").GetString(), Is.EqualTo("stop"));
        Assert.That(json.RootElement.GetProperty("usage").GetProperty("totalTokens").GetInt64(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Call_ProfileFromSettingsFile_UsesItsBaseUrlAndVariables()
    {
        using var folder = new TempFolder();
        folder.Write("llm-adapters.json", $$"""
            { "LlmAdapters": { "Profiles": { "demo": { "Adapter": "openai", "BaseUrl": "{{_server.BaseUrl}}",
              "Variables": { "apikey": "{{DemoServer.ApiKey}}", "model": "{{DemoServer.Model}}" } } } } }
            """);

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("call", "demo", "--call", "chat_sync", "hi");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Is.EqualTo(DemoServer.AnswerTo("hi") + "\n"));
    }

    [Test]
    public async Task Call_AsyncCall_PrintsOneLinePerStatusThenTheResult()
    {
        using var folder = new TempFolder();
        // An infinite profile timeout lets the instant clock end every poll wait at once without ending the call.
        var settings = folder.Write("settings.json", $$"""
            { "Profiles": { "images": { "Adapter": "dashscope", "BaseUrl": "{{_server.RootUrl}}", "Timeout": "-00:00:00.0010000",
              "Variables": { "apikey": "{{DemoServer.ApiKey}}" } } } }
            """);

        var result = await new CliRunner { Time = new InstantTimeProvider() }.RunAsync("call", "images", "--settings", settings, "--call", "image", "a cat");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var statuses = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf(']', StringComparison.Ordinal) + 2)..].Split(' ')[0]);
        Assert.That(statuses, Is.EqualTo(new[] { "submitted", "RUNNING", "finished" }), result.ToString());
        Assert.That(result.Error, Does.Contain("submitted (queryid "));
        Assert.That(result.Out, Does.Match(@"^http://127\.0\.0\.1:\d+/images/[0-9a-f-]+\.png\n$"));
    }

    [Test]
    public async Task Call_WrongKey_ExitsOneWithThePlainReasonAndNoKey()
    {
        const string key = "sk-wrong-key-0123456789";

        var result = await new CliRunner().RunAsync(
            "call", "openai", "--base-url", _server.BaseUrl, "--var", "apikey=" + key, "--var", "model=m", "hi");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("the API key was rejected"));
        Assert.That(result.Error, Does.Contain("Incorrect API key provided."));
        Assert.That(result.All, Does.Not.Contain(key));
    }

    [Test]
    public async Task Call_UnknownProfile_IsAUsageErrorNamingTheAdapters()
    {
        using var folder = new TempFolder();

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("call", "acme-ai", "hi");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("'acme-ai' is neither a profile, an adapter nor a preset"));
        Assert.That(result.Error, Does.Contain("presets: ").And.Contain("deepseek"));
        Assert.That(result.Error, Does.Contain("openai"));
    }

    [Test]
    public async Task Call_MissingVariable_IsAUsageError()
    {
        // azure-openai's preset has no deployment (each customer names their own), so the call lacks it.
        var result = await new CliRunner().RunAsync("call", "azure-openai", "--base-url", _server.BaseUrl, "--var", "apikey=" + DemoServer.ApiKey, "hi");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("deployment"));
    }

    [Test]
    public async Task Call_Models_NeedsNoPrompt()
    {
        var result = await new CliRunner().RunAsync(
            "call", "openai", "--call", "models", "--base-url", _server.BaseUrl, "--var", "apikey=" + DemoServer.ApiKey, "--json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain(DemoServer.Model));
    }

    [Test]
    public async Task Call_ChatWithoutPrompt_IsAUsageErrorSayingSo()
    {
        var result = await new CliRunner().RunAsync("call", "openai", "--base-url", _server.BaseUrl, "--var", "apikey=" + DemoServer.ApiKey, "--var", "model=m");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("Call 'chat' of openai needs a prompt"));
    }

    [Test]
    public async Task Call_UnknownCall_ListsTheCallsWithADidYouMean()
    {
        var result = await new CliRunner().RunAsync("call", "openai", "--call", "chats", "--base-url", _server.BaseUrl, "hi");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("has no call 'chats'; did you mean 'chat'? Its calls: chat, chat_sync, embeddings, models."));
    }

    [Test]
    public async Task Call_MissingApiKey_SaysHowToGiveItOnTheCommandLine()
    {
        var result = await new CliRunner().RunAsync("call", "openai", "--base-url", _server.BaseUrl, "--var", "model=m", "hi");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("The variable 'apikey' has no value"));
        Assert.That(result.Error, Does.Contain("--var apikey=...").And.Contain("LLM_ADAPTERS_OPENAI_APIKEY"));
        Assert.That(result.Error, Does.Not.Contain("LlmRequest.Variables"));
    }

    [Test]
    public async Task Call_MalformedVar_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("call", "openai", "--var", "apikey", "hi");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("--var takes name=value"));
    }
}
