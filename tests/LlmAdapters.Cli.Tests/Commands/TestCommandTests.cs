using LlmAdapters.Samples;

namespace LlmAdapters.Cli.Tests.Commands;

public sealed class TestCommandTests
{
    private DemoServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await DemoServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Test_WorkingProfile_ReportsOkLatencyAndTheFirstWords()
    {
        var runner = new CliRunner();
        runner.Environment["LLM_ADAPTERS_OPENAI_APIKEY"] = DemoServer.ApiKey;

        var result = await runner.RunAsync("test", "openai", "--base-url", _server.BaseUrl, "--var", "model=" + DemoServer.Model);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Match($@"^ok openai \(openai chat at {System.Text.RegularExpressions.Regex.Escape(_server.BaseUrl)}\) in \d+ ms: ""你好！This is the LlmAdapters demo server\. You asked: “Say hello\.” 🙂""\n$"));
    }

    [Test]
    public async Task Test_BaseUrlWithUserInfo_NeverPrintsThePassword()
    {
        var runner = new CliRunner();
        runner.Environment["LLM_ADAPTERS_OPENAI_APIKEY"] = DemoServer.ApiKey;
        var withUserInfo = _server.BaseUrl.Replace("http://", "http://me:pa55-USERINFO@", StringComparison.Ordinal);

        var result = await runner.RunAsync("test", "openai", "--base-url", withUserInfo, "--var", "model=" + DemoServer.Model);

        Assert.That(result.ToString(), Does.Not.Contain("pa55-USERINFO"));
        Assert.That(result.Out, Does.Contain("openai chat at http://127.0.0.1"));
    }

    [Test]
    public async Task Test_RejectedKey_ReportsThe401InPlainWordsAndExitsOne()
    {
        const string key = "sk-rotated-away-0123456789";
        using var folder = new TempFolder();
        folder.Write("llm-adapters.json", $$"""
            { "Profiles": { "kimi": { "Adapter": "openai", "BaseUrl": "{{_server.BaseUrl}}", "Variables": { "apikey": "{{key}}", "model": "m" } } } }
            """);

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("test", "kimi");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.StartWith("FAILED kimi (openai chat at "));
        Assert.That(result.Error, Does.Contain("the API key was rejected"));
        Assert.That(result.Error, Does.Contain("(HTTP 401)"));
        Assert.That(result.All, Does.Not.Contain(key));
    }

    [Test]
    public async Task Test_UnreachableHost_SaysItCouldNotConnect()
    {
        // Port 9 on the loopback (discard) is closed on test machines: the connection is refused at once.
        var result = await new CliRunner().RunAsync("test", "openai", "--base-url", "http://127.0.0.1:9/v1", "--var", "apikey=k", "--var", "model=m");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("could not reach the vendor"));
    }

    [Test]
    public void Start_LongAnswer_KeepsTheFirstWordsOnOneLine()
    {
        var start = LlmAdapters.Cli.Commands.TestCommand.Start("one two\nthree four five six seven eight nine ten eleven twelve thirteen");

        Assert.That(start, Is.EqualTo("one two three four five six seven eight nine ten eleven twelve…"));
    }
}
