using System.Reflection;
using LlmAdapters.Internal;

namespace LlmAdapters.Definitions;

/// <summary>Where definition files come from: a folder, a file, a string, an embedded resource, or the adapters shipped in the package.</summary>
internal abstract record DefinitionSource
{
    /// <summary>The prefix of the shipped adapters' resource names in this assembly.</summary>
    public const string BuiltInResourcePrefix = "LlmAdapters.Adapters.";

    public abstract IEnumerable<(string Name, ReadOnlyMemory<byte> Bytes, bool BuiltIn)> Read(List<LlmDefinitionProblem> problems);

    public sealed record Directory(string Path, string SearchPattern) : DefinitionSource
    {
        public override IEnumerable<(string, ReadOnlyMemory<byte>, bool)> Read(List<LlmDefinitionProblem> problems)
        {
            var full = PathResolver.Resolve(Path);
            if (!System.IO.Directory.Exists(full))
            {
                problems.Add(new LlmDefinitionProblem(Path, 0, "$", $"the folder does not exist (looked in {PathResolver.Looked(Path)}); check the adapter path"));
                yield break;
            }

            // Array.Sort rather than LINQ's Order: the same order, without generic sorting code for a cold load to compile.
            var files = System.IO.Directory.GetFiles(full, SearchPattern);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (file.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                yield return (System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)), File.ReadAllBytes(file), false);
            }
        }
    }

    public sealed record FilePath(string Path) : DefinitionSource
    {
        public override IEnumerable<(string, ReadOnlyMemory<byte>, bool)> Read(List<LlmDefinitionProblem> problems)
        {
            var full = PathResolver.Resolve(Path);
            if (!File.Exists(full))
            {
                problems.Add(new LlmDefinitionProblem(Path, 0, "$", $"the file does not exist (looked in {PathResolver.Looked(Path)}); check the adapter path"));
                return [];
            }

            return [(Path, File.ReadAllBytes(full), false)];
        }
    }

    public sealed record Text(string Json, string Name) : DefinitionSource
    {
        public override IEnumerable<(string, ReadOnlyMemory<byte>, bool)> Read(List<LlmDefinitionProblem> problems)
            => [(Name, System.Text.Encoding.UTF8.GetBytes(Json), false)];
    }

    public sealed record Resource(Assembly Assembly, string ResourceName) : DefinitionSource
    {
        public override IEnumerable<(string, ReadOnlyMemory<byte>, bool)> Read(List<LlmDefinitionProblem> problems)
        {
            using var stream = Assembly.GetManifestResourceStream(ResourceName);
            var display = $"{Assembly.GetName().Name}:{ResourceName}";
            if (stream is null)
            {
                var known = Assembly.GetManifestResourceNames();
                problems.Add(new LlmDefinitionProblem(display, 0, "$", $"the assembly has no embedded resource '{ResourceName}'{Internal.DidYouMean.Hint(ResourceName, known)}; its resources: {string.Join(", ", known)}"));
                return [];
            }

            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return [(display, memory.ToArray(), false)];
        }
    }

    public sealed record BuiltIns : DefinitionSource
    {
        public override IEnumerable<(string, ReadOnlyMemory<byte>, bool)> Read(List<LlmDefinitionProblem> problems)
        {
            foreach (var name in ResourceNames())
            {
                yield return ReadOne(name);
            }
        }

        /// <summary>The shipped files' resource names, in ordinal order.</summary>
        public static string[] ResourceNames()
        {
            var shipped = new List<string>();
            foreach (var name in typeof(DefinitionSource).Assembly.GetManifestResourceNames())
            {
                if (name.StartsWith(BuiltInResourcePrefix, StringComparison.Ordinal))
                {
                    shipped.Add(name);
                }
            }

            var sorted = shipped.ToArray();
            Array.Sort(sorted, StringComparer.Ordinal);
            return sorted;
        }

        /// <summary>The adapter a shipped definition file defines, known without reading it: its file name without <c>.json</c> (a test holds every shipped file to this).</summary>
        public static string AdapterName(string resourceName) => resourceName[BuiltInResourcePrefix.Length..^".json".Length];

        /// <summary>One shipped file, named as problems and locations show it.</summary>
        public static (string Name, ReadOnlyMemory<byte> Bytes, bool BuiltIn) ReadOne(string resourceName)
        {
            using var stream = typeof(DefinitionSource).Assembly.GetManifestResourceStream(resourceName)
                ?? throw new InvalidOperationException($"The package's resource '{resourceName}' is missing.");
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return ($"(built-in) {resourceName[BuiltInResourcePrefix.Length..]}", bytes, true);
        }
    }
}
