namespace LlmAdapters.Benchmarks.Support;

/// <summary>Finds the repository: the folder holding LlmAdapters.sln, walking up from the program's folder (or the current one).</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string AdaptersDirectory => Path.Combine(Root, "adapters");

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LlmAdapters.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"LlmAdapters.sln was not found above {AppContext.BaseDirectory} nor {Directory.GetCurrentDirectory()}; run the benchmarks from the repository.");
    }
}
