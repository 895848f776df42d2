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
    public async Task Validate_APresetsFile_NamesEachPreset_AndReportsItsProblemsWithLineAndPath()
    {
        using var folder = new TempFolder();
        File.Copy(Path.Combine(Paths.Fixtures, "good", "echo.json"), Path.Combine(folder.Path, "echo.json"));
        folder.Write("team.presets.json", "{\n  \"presets\": {\n    \"local-echo\": { \"adapter\": \"echo\", \"base_url\": \"http://localhost:9000\" }\n  }\n}\n");
        folder.Write("bad.presets.json", "{\n  \"presets\": {\n    \"x\": { \"adapter\": \"ehco\" }\n  }\n}\n");

        var good = await new CliRunner().RunAsync("validate", Path.Combine(folder.Path, "echo.json"), Path.Combine(folder.Path, "team.presets.json"));
        var bad = await new CliRunner().RunAsync("validate", Path.Combine(folder.Path, "echo.json"), Path.Combine(folder.Path, "bad.presets.json"));

        Assert.That(good.ExitCode, Is.EqualTo(0), good.ToString());
        Assert.That(good.Out, Does.Contain("ok  preset local-echo -> echo"));
        Assert.That(good.Out, Does.Contain("1 preset: no problems."));
        Assert.That(bad.ExitCode, Is.EqualTo(3), bad.ToString());
        Assert.That(bad.Error, Does.Contain("bad.presets.json:3: error: $.presets.x: the preset 'x' runs on the adapter 'ehco', which is not loaded; did you mean 'echo'?"));
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
