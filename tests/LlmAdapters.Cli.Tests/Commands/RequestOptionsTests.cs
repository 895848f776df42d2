using System.Text.Json;

namespace LlmAdapters.Cli.Tests.Commands;

/// <summary>Typed variables (--var, --var-json) and the request options (--system, --max-tokens, --temperature, --image), seen in the request replay prints.</summary>
public sealed class RequestOptionsTests
{
    private static JsonElement Body(CliResult result)
    {
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var start = result.Out.IndexOf("\n{", StringComparison.Ordinal) + 1;
        var end = result.Out.LastIndexOf("\n---", StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Out[start..end]);
        return json.RootElement.Clone();
    }

    [Test]
    public async Task Var_SendsJsonValuesAsJson_AndOtherValuesAsText()
    {
        var result = await new CliRunner().RunAsync(
            "replay", "converters/typed.json", "--request", "--var", "n=100", "--var", "j=[{\"url\": \"https://x/y.png\"}]", "--var", "s=\"123\"", "--var", "t=gpt-4o");

        var body = Body(result);
        Assert.That(body.GetProperty("n").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(body.GetProperty("n").GetInt32(), Is.EqualTo(100));
        Assert.That(body.GetProperty("j")[0].GetProperty("url").GetString(), Is.EqualTo("https://x/y.png"));
        Assert.That(body.GetProperty("s").GetString(), Is.EqualTo("123"), "a quoted JSON string is text");
        Assert.That(body.GetProperty("t").GetString(), Is.EqualTo("gpt-4o"), "not JSON: text");
    }

    [Test]
    public async Task VarJson_SendsJson_AndRejectsWhatIsNot()
    {
        var ok = await new CliRunner().RunAsync("replay", "converters/typed.json", "--request", "--var-json", "j={\"a\": [1, 2]}");
        var bad = await new CliRunner().RunAsync("replay", "converters/typed.json", "--request", "--var-json", "j=[1, 2");

        Assert.That(Body(ok).GetProperty("j").GetProperty("a").GetArrayLength(), Is.EqualTo(2));
        Assert.That(bad.ExitCode, Is.EqualTo(2), bad.ToString());
        Assert.That(bad.Error, Does.Contain("--var-json j=... takes JSON"));
    }

    [Test]
    public async Task Var_ASecretStaysTextAndMasked_EvenWhenItLooksLikeANumber()
    {
        var result = await new CliRunner().RunAsync("replay", "converters/typed.json", "--request", "--var", "apikey=1234567890");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Does.Contain("Authorization: Bearer ***"));
        Assert.That(result.All, Does.Not.Contain("1234567890"));
    }

    [Test]
    public async Task RequestOptions_FillSystemMaxTokensTemperatureAndImages()
    {
        using var folder = new TempFolder();
        var png = Path.Combine(folder.Path, "dot.png");
        await File.WriteAllBytesAsync(png, [0x89, 0x50, 0x4E, 0x47]);

        var result = await new CliRunner().RunAsync(
            "replay", "openai", "--call", "chat_sync", "--request", "--var", "model=m",
            "--system", "Be brief.", "--max-tokens", "100", "--temperature", "0.5", "--image", png, "--image", "https://example.com/cat.jpg", "--prompt", "What is it?");

        var body = Body(result);
        Assert.That(body.GetProperty("max_tokens").GetInt32(), Is.EqualTo(100));
        Assert.That(body.GetProperty("temperature").GetDouble(), Is.EqualTo(0.5));
        var messages = body.GetProperty("messages");
        Assert.That(messages[0].GetProperty("role").GetString(), Is.EqualTo("system"));
        Assert.That(messages[0].GetProperty("content").GetString(), Is.EqualTo("Be brief."));
        var parts = messages[1].GetProperty("content").EnumerateArray().ToList();
        Assert.That(parts.Select(p => p.GetProperty("type").GetString()), Is.EqualTo(new[] { "text", "image_url", "image_url" }));
        Assert.That(parts[1].GetProperty("image_url").GetProperty("url").GetString(), Is.EqualTo("data:image/png;base64,iVBORw=="));
        Assert.That(parts[2].GetProperty("image_url").GetProperty("url").GetString(), Is.EqualTo("https://example.com/cat.jpg"));
    }

    [Test]
    public async Task Image_OfAnUnknownType_IsAUsageError()
    {
        var result = await new CliRunner().RunAsync("replay", "openai", "--request", "--var", "model=m", "--image", "good/echo.json");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("use a .png, .jpg, .gif or .webp file, or a URL"));
    }
}
