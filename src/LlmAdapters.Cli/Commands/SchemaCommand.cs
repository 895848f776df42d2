namespace LlmAdapters.Cli.Commands;

/// <summary><c>schema</c>: prints the JSON Schema of definition files, the one this tool and its library read by (<c>llm-adapters schema &gt; llm-adapter.schema.json</c>).</summary>
internal sealed class SchemaCommand(CliConsole console)
{
    /// <summary>The schema's resource name in this assembly (adapters/llm-adapter.schema.json, embedded at build).</summary>
    public const string ResourceName = "LlmAdapters.Cli.llm-adapter.schema.json";

    public int Run()
    {
        using var stream = typeof(SchemaCommand).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The tool was built without its schema ({ResourceName}).");
        using var reader = new StreamReader(stream);
        console.Out.Write(reader.ReadToEnd());
        return ExitCodes.Ok;
    }
}
