namespace LlmAdapters.Cli.Tests.Commands;

public sealed class SchemaCommandTests
{
    [Test]
    public async Task Schema_PrintsTheSchemaOfTheRepository()
    {
        var expected = await File.ReadAllTextAsync(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../adapters/llm-adapter.schema.json")));

        var result = await new CliRunner().RunAsync("schema");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Out, Is.EqualTo(expected));
    }
}
