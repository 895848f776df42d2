using System.Reflection;

namespace LlmAdapters.Cli.Converters;

/// <summary>Loads the converters of assemblies named with <c>--converters</c>: every public, non-abstract type implementing <see cref="ILlmConverter"/> with a public parameterless constructor.</summary>
/// <remarks>
/// Each assembly loads in a context of its own (<see cref="ConverterLoadContext"/>) that shares LlmAdapters and everything
/// the tool itself ships with, so a converter built against the LlmAdapters package is the tool's own
/// <see cref="ILlmConverter"/>, and its other dependencies come from its own folder.
/// </remarks>
internal static class ConverterAssemblies
{
    /// <exception cref="CliUsageException">A file is missing, is not a .NET assembly, has no converter, or a converter cannot be created.</exception>
    public static IReadOnlyList<ILlmConverter> Load(IEnumerable<string> fullPaths)
    {
        ArgumentNullException.ThrowIfNull(fullPaths);
        var converters = new List<ILlmConverter>();
        foreach (var path in fullPaths)
        {
            converters.AddRange(LoadOne(path));
        }

        return converters;
    }

    private static List<ILlmConverter> LoadOne(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"The converter assembly {path} does not exist.");
        }

        Assembly assembly;
        try
        {
            assembly = new ConverterLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (BadImageFormatException e)
        {
            throw new CliUsageException($"{path} is not a .NET assembly: --converters takes a .dll built against the LlmAdapters package, with public classes implementing ILlmConverter.", e);
        }

        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw new CliUsageException($"The types of {path} cannot be loaded ({e.Message}); build it against the LlmAdapters package and put its dependencies next to it.", e);
        }

        var candidates = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILlmConverter).IsAssignableFrom(t)).ToList();
        var converters = new List<ILlmConverter>();
        foreach (var type in candidates)
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new CliUsageException($"The converter {type.FullName} in {path} has no public parameterless constructor; add one, so that the tool can create it.");
            }

            try
            {
                converters.Add((ILlmConverter)Activator.CreateInstance(type)!);
            }
            catch (TargetInvocationException e)
            {
                throw new CliUsageException($"The converter {type.FullName} in {path} failed in its constructor: {e.InnerException?.Message ?? e.Message}", e);
            }
        }

        if (converters.Count == 0)
        {
            var mismatch = types.Any(t => t.GetInterfaces().Any(i => i.FullName == typeof(ILlmConverter).FullName && i != typeof(ILlmConverter)))
                ? " (it implements an ILlmConverter of another LlmAdapters assembly than the tool's)"
                : string.Empty;
            throw new CliUsageException($"{path} has no public class implementing LlmAdapters.ILlmConverter with a public parameterless constructor{mismatch}.");
        }

        return converters;
    }
}
