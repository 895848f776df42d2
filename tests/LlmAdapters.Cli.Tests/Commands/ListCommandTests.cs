using System.Text.Json;

namespace LlmAdapters.Cli.Tests.Commands;

public sealed class ListCommandTests
{
    [Test]
    public async Task List_NoPaths_ShowsBuiltInAdaptersWithCallsApitypesVariablesAndInputs()
    {
        var result = await new CliRunner().RunAsync("list");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("openai  (built-in) openai.json"));
        Assert.That(result.Out, Does.Match(@"\n  chat +stream  needs: apikey, messages, model; accepts: prompt, image, tools, tool_choice, response_format\n"));
        Assert.That(result.Out, Does.Match(@"\n  chat +stream  needs: apikey, messages, model; accepts: prompt, image, tools, tool_choice\n"), "anthropic: no response_format");
        Assert.That(result.Out, Does.Match(@"\n  image +async "));
        Assert.That(result.Out, Does.Not.Contain("echo"));
    }

    [Test]
    public async Task List_ShowsPresets_WithAdapterAndBaseUrl()
    {
        var result = await new CliRunner().RunAsync("list");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("\npresets  "));
        Assert.That(result.Out, Does.Match(@"\n  deepseek +openai +https://api\.deepseek\.com\n"));
        Assert.That(result.Out, Does.Match(@"\n  azure-openai +azure-openai +\(BaseUrl from the profile\)\n"));
    }

    [Test]
    public async Task List_WithAPresetsFile_ShowsTheUsersPresets()
    {
        using var folder = new TempFolder();
        folder.Write("team.presets.json", """{ "presets": { "gateway": { "adapter": "openai", "base_url": "https://gw.example/v1" } } }""");

        var result = await new CliRunner().RunAsync("list", Path.Combine(folder.Path, "team.presets.json"));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Match(@"\n  gateway +openai +https://gw\.example/v1\n"));
    }

    [Test]
    public async Task List_WithPaths_AddsThoseFilesAndTheyReplaceBuiltInsByName()
    {
        using var folder = new TempFolder();
        folder.Write("openai.json", """{ "name": "openai", "only": { "path": "/x", "resp": [ { "name": "content", "value": "a" } ] } }""");

        var result = await new CliRunner().RunAsync("list", "good", Path.Combine(folder.Path, "openai.json"));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("echo  good/echo.json"));
        Assert.That(result.Out, Does.Contain("  only  sync"));
        Assert.That(result.Out, Does.Contain("anthropic"));
        var json = await new CliRunner().RunAsync("list", "--json", Path.Combine(folder.Path, "openai.json"));
        using var calls = JsonDocument.Parse(json.Out);
        var openai = calls.RootElement.EnumerateArray().Where(c => c.GetProperty("adapter").GetString() == "openai").Select(c => c.GetProperty("call").GetString());
        Assert.That(openai, Is.EqualTo(new[] { "only" }));
    }

    [Test]
    public async Task List_Json_IsAnArrayOfCalls()
    {
        var result = await new CliRunner().RunAsync("list", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var chat = json.RootElement.EnumerateArray().Single(c => c.GetProperty("adapter").GetString() == "openai" && c.GetProperty("call").GetString() == "chat");
        Assert.That(chat.GetProperty("apitype").GetString(), Is.EqualTo("stream"));
        Assert.That(chat.GetProperty("requiredVariables").EnumerateArray().Select(v => v.GetString()), Does.Contain("apikey"));
    }

    [Test]
    public async Task List_AdaptersOption_AddsTheFolder_AndIsNotReadAsAFolderItself()
    {
        var result = await new CliRunner().RunAsync("list", "-a", "good");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("echo  good/echo.json"));
        Assert.That(result.All, Does.Not.Contain("-a/"));
    }

    [Test]
    public async Task List_BrokenFile_ExitsThree()
    {
        var result = await new CliRunner().RunAsync("list", "broken");

        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
        Assert.That(result.Error, Does.Contain("broken/broken.json:5"));
    }
}
