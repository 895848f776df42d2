namespace LlmAdapters.Cli.Tests.TestSupport;

internal static class Paths
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");
}
