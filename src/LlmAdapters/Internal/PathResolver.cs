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

    /// <summary>Every place <see cref="Resolve"/> looks, for a message about a path that is in none of them: "/app/adapters and /home/me/adapters".</summary>
    public static string Looked(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var fromBase = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        var fromCurrent = Path.GetFullPath(path);
        return fromBase == fromCurrent
            ? $"{fromBase} (the application's base directory and the current directory)"
            : $"{fromBase} (the application's base directory) and {fromCurrent} (the current directory)";
    }
}
