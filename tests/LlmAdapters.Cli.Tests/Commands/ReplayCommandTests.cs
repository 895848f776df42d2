using System.Text.Json;

namespace LlmAdapters.Cli.Tests.Commands;

public sealed class ReplayCommandTests
{
    [Test]
    public async Task Replay_SyncJsonBody_PrintsExtractedTextFieldsAndUsage()
    {
        var result = await new CliRunner().RunAsync("replay", "openai", "--call", "chat_sync", "--response", "recorded/openai-chat.json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.StartWith("text:\nBonjour !\nfields:\n"));
        Assert.That(result.Out, Does.Match(@"\n  model +gpt-4o-mini\n"));
        Assert.That(result.Out, Does.Contain("usage: input 9, output 3, total 12"));
        Assert.That(result.Out, Does.Contain("finish reason: stop"));
    }

    [Test]
    public async Task Replay_SseStreamFile_JoinsTheTextOfEveryChunk()
    {
        var result = await new CliRunner().RunAsync("replay", "openai", "-r", "recorded/openai-chat.sse", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.That(json.RootElement.GetProperty("text").GetString(), Is.EqualTo("Hello, world"));
        Assert.That(json.RootElement.GetProperty("finishReason").GetString(), Is.EqualTo("stop"));
        Assert.That(json.RootElement.GetProperty("usage").GetProperty("totalTokens").GetInt64(), Is.EqualTo(9));
    }

    [Test]
    public async Task Replay_Request_ShowsTheRequestWithTheKeyMasked()
    {
        const string key = "sk-very-secret-0123456789";

        var result = await new CliRunner().RunAsync(
            "replay", "openai", "--request", "--var", "apikey=" + key, "--var", "model=gpt-4o-mini", "--base-url", "https://api.example.com/v1", "--prompt", "Say hi");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.All, Does.Not.Contain(key));
        Assert.That(result.Out, Does.Contain("POST https://api.example.com/v1/chat/completions\n"));
        Assert.That(result.Out, Does.Contain("Authorization: Bearer ***\n"));
        Assert.That(result.Out, Does.Contain("Content-Type: application/json"));
        Assert.That(result.Out, Does.Contain("\"model\": \"gpt-4o-mini\""));
        Assert.That(result.Out, Does.Contain("\"content\": \"Say hi\""));
    }

    [Test]
    public async Task Replay_Request_OfAPreset_UsesItsBaseUrlAndDefaultModel()
    {
        var result = await new CliRunner().RunAsync("replay", "deepseek", "--call", "chat_sync", "--request", "--var", "apikey=sk-fake", "--prompt", "hi");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("POST https://api.deepseek.com/chat/completions\n"));
        Assert.That(result.Out, Does.Contain("\"model\": \"deepseek-chat\""));
    }

    [Test]
    public async Task Replay_WithoutVariables_UsesVisiblePlaceholders()
    {
        var result = await new CliRunner().RunAsync("replay", "openai", "--call", "chat_sync", "--request", "-r", "recorded/openai-chat.json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        // The base URL is the openai preset's; the key, which no preset has, is a visible placeholder.
        Assert.That(result.Out, Does.Contain("POST https://api.openai.com/v1/chat/completions"));
        Assert.That(result.Out, Does.Contain("Authorization: Bearer <apikey>"));
        Assert.That(result.Out, Does.Contain("Bonjour !"));
    }

    [Test]
    public async Task Replay_ErrorStatus_ReportsTheVendorMessageAndExitsOne()
    {
        var result = await new CliRunner().RunAsync("replay", "openai", "--call", "chat_sync", "-r", "recorded/openai-error.json", "--status", "401");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("the API key was rejected"));
        Assert.That(result.Error, Does.Contain("Incorrect API key provided. [invalid_api_key]"));
    }

    [Test]
    public async Task Replay_AsyncCall_ServesSubmitThenPollWithoutWaiting()
    {
        var result = await new CliRunner().RunAsync(
            "replay", "dashscope", "--call", "image", "-r", "recorded/dashscope-submit.json", "-r", "recorded/dashscope-done.json", "--request");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("GET https://dashscope.aliyuncs.com/api/v1/tasks/task-42"), "the dashscope preset's base URL");
        Assert.That(result.Out, Does.Contain("text:\nhttps://example.com/cat.png\n"));
    }

    [Test]
    public async Task Replay_DefinitionFileBeingWritten_IsLoadedByPath()
    {
        using var folder = new TempFolder();
        folder.Write("body.json", """{"echo": "hi there"}""");

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync(
            "replay", Path.Combine(Paths.Fixtures, "good", "echo.json"), "-r", "body.json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.StartWith("text:\nhi there\n"));
    }

    [Test]
    public async Task Replay_UnknownCall_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("replay", "openai", "--call", "nope", "-r", "recorded/openai-chat.json");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("nope"));
    }

    [Test]
    public async Task Replay_NoResponseAndNoRequest_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("replay", "openai");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("--response"));
    }
}
