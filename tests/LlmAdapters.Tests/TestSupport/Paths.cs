namespace LlmAdapters.Tests.TestSupport;

internal static class Paths
{
    /// <summary>The shipped adapters, copied beside the test assembly.</summary>
    public static string Adapters => Path.Combine(AppContext.BaseDirectory, "adapters");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
