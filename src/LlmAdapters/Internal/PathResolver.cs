namespace LlmAdapters.Internal;

/// <summary>Resolves a relative adapter path against the application's base directory (where published and copied files are), then the current directory.</summary>
internal static class PathResolver
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var fromBase = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        if (File.Exists(fromBase) || Directory.Exists(fromBase))
        {
            return fromBase;
        }

        var fromCurrent = Path.GetFullPath(path);
        return File.Exists(fromCurrent) || Directory.Exists(fromCurrent) ? fromCurrent : fromBase;
    }
}
