using System.Text.Json;

namespace LlmAdapters.Cli.Profiles;

/// <summary>A settings file: the library's <c>LlmAdapters</c> configuration section (<c>AdapterPaths</c>, <c>Profiles</c>), at the root or under <c>"LlmAdapters"</c>.</summary>
internal sealed class CliSettings
{
    /// <summary>The settings file looked for in the working folder when neither <c>--settings</c> nor <c>LLM_ADAPTERS_SETTINGS</c> names one.</summary>
    public const string DefaultFileName = "llm-adapters.json";

    /// <summary>The environment variable naming a settings file.</summary>
    public const string EnvironmentVariable = "LLM_ADAPTERS_SETTINGS";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static CliSettings Empty { get; } = new(null, [], new Dictionary<string, LlmProfile>(StringComparer.OrdinalIgnoreCase));

    private CliSettings(string? file, IReadOnlyList<string> adapterPaths, IReadOnlyDictionary<string, LlmProfile> profiles)
    {
        File = file;
        AdapterPaths = adapterPaths;
        Profiles = profiles;
    }

    /// <summary>The file these settings came from, or null when there is none.</summary>
    public string? File { get; }

    /// <summary>Adapter folders or files, made absolute against the settings file's folder.</summary>
    public IReadOnlyList<string> AdapterPaths { get; }

    /// <summary>Profiles by name, case-insensitive.</summary>
    public IReadOnlyDictionary<string, LlmProfile> Profiles { get; }

    /// <summary>Loads <paramref name="explicitPath"/>, else the file named by <c>LLM_ADAPTERS_SETTINGS</c>, else <c>llm-adapters.json</c> in the working folder if present.</summary>
    /// <exception cref="CliUsageException">A named file is missing or not valid settings JSON.</exception>
    public static CliSettings Load(string? explicitPath, CliConsole console)
    {
        var named = explicitPath ?? console.GetEnvironmentVariable(EnvironmentVariable);
        string path;
        if (named is not null)
        {
            path = console.FullPath(named);
            if (!System.IO.File.Exists(path))
            {
                throw new CliUsageException($"The settings file {named} does not exist (looked in {path}).");
            }
        }
        else
        {
            path = console.FullPath(DefaultFileName);
            if (!System.IO.File.Exists(path))
            {
                return Empty;
            }
        }

        LlmAdaptersOptions? options;
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in root.EnumerateObject())
                {
                    if (property.Name.Equals("LlmAdapters", StringComparison.OrdinalIgnoreCase))
                    {
                        root = property.Value;
                        break;
                    }
                }
            }

            options = root.Deserialize<LlmAdaptersOptions>(JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CliUsageException($"The settings file {console.DisplayPath(path)} is not valid: {e.Message} It holds the LlmAdapters configuration section: {{ \"Profiles\": {{ \"name\": {{ \"Adapter\": ..., \"BaseUrl\": ..., \"Variables\": {{ ... }} }} }} }}.", e);
        }

        options ??= new LlmAdaptersOptions();
        var folder = Path.GetDirectoryName(path)!;
        var profiles = new Dictionary<string, LlmProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, profile) in options.Profiles)
        {
            profiles[name] = profile;
        }

        return new CliSettings(path, [.. options.AdapterPaths.Select(p => Path.GetFullPath(p, folder))], profiles);
    }
}
