namespace LlmAdapters.Internal;

/// <summary>Resolves a relative adapter path against the current directory, then the application's base directory (where published files are).</summary>
internal static class PathResolver
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var fromCurrent = Path.GetFullPath(path);
        if (File.Exists(fromCurrent) || Directory.Exists(fromCurrent))
        {
            return fromCurrent;
        }

        var fromBase = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        return File.Exists(fromBase) || Directory.Exists(fromBase) ? fromBase : fromCurrent;
    }
}
