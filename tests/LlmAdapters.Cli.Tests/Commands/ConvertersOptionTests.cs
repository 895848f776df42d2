namespace LlmAdapters.Cli.Tests.Commands;

/// <summary><c>--converters &lt;dll&gt;</c> on validate, list, replay, call and test (src/LlmAdapters.Cli/Converters).</summary>
public sealed class ConvertersOptionTests
{
    /// <summary>LlmAdapters.Cli.Tests.Converters.dll, built against LlmAdapters as a user's converter assembly is, beside the tests.</summary>
    private static string Assembly => Path.Combine(AppContext.BaseDirectory, "LlmAdapters.Cli.Tests.Converters.dll");

    [Test]
    public async Task Validate_WithTheConverterAssembly_AcceptsAFileNamingItsConverter()
    {
        var result = await new CliRunner().RunAsync("validate", "converters/shouting.json", "--converters", Assembly);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("ok  shouting (converters/shouting.json): chat"));
    }

    [Test]
    public async Task Validate_WithoutTheConverterAssembly_SaysTheConverterIsUnknown()
    {
        var result = await new CliRunner().RunAsync("validate", "converters/shouting.json");

        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
        Assert.That(result.Error, Does.Contain("converter 'shout' is unknown"));
    }

    [Test]
    public async Task Replay_WithTheConverterAssembly_RunsTheConverter()
    {
        var result = await new CliRunner().RunAsync("replay", "converters/shouting.json", "--request", "--converters", Assembly, "--prompt", "quiet please");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("\"text\": \"QUIET PLEASE\""));
    }

    [Test]
    public async Task List_WithAdaptersAndConverters_ListsTheFile()
    {
        var result = await new CliRunner().RunAsync("list", "-a", "converters/shouting.json", "--converters", Assembly);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("shouting  converters/shouting.json"));
    }

    [Test]
    public async Task MissingAssembly_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("validate", "good", "--converters", "nowhere.dll");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("nowhere.dll does not exist"));
    }

    [Test]
    public async Task AFileThatIsNoAssembly_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("validate", "good", "--converters", "good/echo.json");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("is not a .NET assembly"));
    }

    [Test]
    public async Task AnAssemblyWithoutConverters_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("validate", "good", "--converters", Path.Combine(AppContext.BaseDirectory, "llm-adapters.dll"));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("has no public class implementing LlmAdapters.ILlmConverter"));
    }
}
