using System.Reflection;
using System.Runtime.Loader;

namespace LlmAdapters.Cli.Converters;

/// <summary>The load context of one converter assembly: the tool's own assemblies (LlmAdapters, the framework) are shared; any other dependency comes from the converter's folder.</summary>
internal sealed class ConverterLoadContext(string assemblyPath) : AssemblyLoadContext($"converters: {Path.GetFileName(assemblyPath)}")
{
    private static readonly HashSet<string> ToolAssemblies = ReadToolAssemblies();

    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared from the tool: the converter must see the tool's ILlmConverter and JsonElement, not copies of its own.
        if (assemblyName.Name is null || ToolAssemblies.Contains(assemblyName.Name) || Default.Assemblies.Any(a => a.GetName().Name == assemblyName.Name))
        {
            return null;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        => _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static HashSet<string> ReadToolAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "LlmAdapters" };
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (var file in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(file));
            }
        }

        return names;
    }
}
