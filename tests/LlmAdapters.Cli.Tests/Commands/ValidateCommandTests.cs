namespace LlmAdapters.Cli.Tests.Commands;

public sealed class ValidateCommandTests
{
    [Test]
    public async Task Validate_GoodFolder_ExitsZeroAndNamesEachAdapter()
    {
        var result = await new CliRunner().RunAsync("validate", "good");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("ok  echo (good/echo.json): chat"));
        Assert.That(result.Out, Does.Contain("1 file, 1 adapter, 1 call: no problems."));
    }

    [Test]
    public async Task Validate_BrokenFile_ExitsThreeWithFileLineAndJsonPath()
    {
        var result = await new CliRunner().RunAsync("validate", "good", "broken/broken.json");

        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
        Assert.That(result.Error, Does.Contain("broken/broken.json:5: error: $.chat.apitype: "));
        Assert.That(result.Error, Does.Contain("1 problem in 1 file."));
    }

    [Test]
    public async Task Validate_NoPaths_ValidatesTheAdaptersFolderOfTheWorkingFolder()
    {
        using var folder = new TempFolder();
        File.Copy(Path.Combine(Paths.Fixtures, "good", "echo.json"), Path.Combine(Directory.CreateDirectory(Path.Combine(folder.Path, "adapters")).FullName, "echo.json"));

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("validate");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("(adapters/echo.json)"));
    }

    [Test]
    public async Task Validate_NoPathsAndNoAdaptersFolder_IsAUsageError()
    {
        using var folder = new TempFolder();

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("validate");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("./adapters"));
    }

    [Test]
    public async Task Validate_MissingPath_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("validate", "nowhere.json");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("Not found: nowhere.json"));
    }

    [Test]
    public async Task Validate_ShippedAdapters_AreValid()
    {
        var adapters = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../adapters"));

        var result = await new CliRunner().RunAsync("validate", adapters);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
    }
}
