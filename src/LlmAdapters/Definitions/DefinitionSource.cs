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

    public sealed record Resource(Assembly Assembly, string ResourceName, bool BuiltIn) : DefinitionSource
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
            var name = BuiltIn ? $"(built-in) {ResourceName[BuiltInResourcePrefix.Length..]}" : display;
            return [(name, memory.ToArray(), BuiltIn)];
        }
    }

    public sealed record BuiltIns : DefinitionSource
    {
        public override IEnumerable<(string, ReadOnlyMemory<byte>, bool)> Read(List<LlmDefinitionProblem> problems)
        {
            var assembly = typeof(DefinitionSource).Assembly;
            var names = assembly.GetManifestResourceNames();
            Array.Sort(names, StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (!name.StartsWith(BuiltInResourcePrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var entry in new Resource(assembly, name, BuiltIn: true).Read(problems))
                {
                    yield return entry;
                }
            }
        }
    }
}
