using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmAdapters.Cli.Tests.Commands;

/// <summary>The worked example of adapters/README.md, as a reader follows it: its file validates and its wire sample replays to the answer it promises.</summary>
public sealed class AuthoringGuideTests
{
    private static readonly string Guide = File.ReadAllText(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../adapters/README.md")));

    /// <summary>The code block after <c>&lt;!-- guide: name ... --&gt;</c>, unindented.</summary>
    private static string Block(string name)
    {
        var match = Regex.Match(Guide, $@"<!-- guide: {Regex.Escape(name)}\b[^>]*-->\s*\n( *)```[a-z]*\n(.*?)\n\1```", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        Assert.That(match.Success, Is.True, $"adapters/README.md has no block marked '<!-- guide: {name} -->'");
        var indent = match.Groups[1].Value.Length;
        return string.Join('\n', match.Groups[2].Value.Split('\n').Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())) + "\n";
    }

    [Test]
    public async Task TheWholeFile_ValidatesInAnAdaptersFolder()
    {
        using var folder = new TempFolder();
        folder.Write("adapters/acme.json", Block("acme.json"));

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("validate", "adapters/");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("ok  acme (adapters/acme.json): chat"));
    }

    [Test]
    public async Task TheWireSample_ReplaysToTheTextFinishReasonAndUsageTheGuideSays()
    {
        using var folder = new TempFolder();
        folder.Write("adapters/acme.json", Block("acme.json"));
        folder.Write("acme.sse", Block("acme.sse"));

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync("replay", "adapters/acme.json", "--response", "acme.sse", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.That(json.RootElement.GetProperty("text").GetString(), Is.EqualTo("Hello"));
        Assert.That(json.RootElement.GetProperty("finishReason").GetString(), Is.EqualTo("length"));
        Assert.That(json.RootElement.GetProperty("usage").GetProperty("inputTokens").GetInt64(), Is.EqualTo(5));
        Assert.That(json.RootElement.GetProperty("usage").GetProperty("outputTokens").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task TheRequest_CarriesTheTurnsOfTheDeclaredConverter()
    {
        using var folder = new TempFolder();
        folder.Write("adapters/acme.json", Block("acme.json"));

        var result = await new CliRunner { WorkingDirectory = folder.Path }.RunAsync(
            "replay", "adapters/acme.json", "--request", "--var", "apikey=test-key-123", "--system", "Be brief.", "--max-tokens", "256");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("Authorization: Token ***").And.Not.Contain("test-key-123"));
        var body = result.Out[result.Out.IndexOf('{', StringComparison.Ordinal)..result.Out.LastIndexOf("---", StringComparison.Ordinal)];
        using var json = JsonDocument.Parse(body);
        Assert.That(JsonSerializer.Serialize(json.RootElement.GetProperty("turns")), Is.EqualTo("""[{"speaker":"system","text":"Be brief."},{"speaker":"user","text":"Hello"}]"""));
        Assert.That(json.RootElement.GetProperty("max_new_tokens").GetInt32(), Is.EqualTo(256));
        Assert.That(json.RootElement.GetProperty("engine").GetString(), Is.EqualTo("acme-1"));
    }
}
