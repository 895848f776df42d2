using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>Reads a presets file (<c>presets.json</c> or <c>*.presets.json</c>), collecting every problem with file, line and JSON path.</summary>
/// <remarks>Whether each preset's adapter is loaded is checked when the catalog is built, once every file is read.</remarks>
internal static class PresetReader
{
    /// <summary>The key that holds the presets, by name. The JSON Schema adapters/llm-presets.schema.json lists the same keys.</summary>
    public const string PresetsKey = "presets";

    /// <summary>Every key a preset may have (besides keys starting with '$').</summary>
    public static readonly IReadOnlyList<string> PresetKeys = ["adapter", "base_url", "description", "variables"];

    /// <summary>How <see cref="DefinitionSource.BuiltIns"/> names the shipped files.</summary>
    private const string BuiltInPrefix = "(built-in) ";

    /// <summary>True for a file name that holds presets rather than an adapter definition: <c>presets.json</c> or <c>*.presets.json</c>.</summary>
    public static bool IsPresetFile(string name)
    {
        var file = Path.GetFileName(name.AsSpan());
        if (file.StartsWith(BuiltInPrefix, StringComparison.Ordinal))
        {
            file = file[BuiltInPrefix.Length..];
        }

        return file.Equals("presets.json", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".presets.json", StringComparison.OrdinalIgnoreCase);
    }

    public static IReadOnlyList<PresetDefinition> Read(ReadOnlyMemory<byte> utf8, string file, bool builtIn, List<LlmDefinitionProblem> problems)
    {
        var bytes = utf8.Span.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? -1) + 1;
            problems.Add(new LlmDefinitionProblem(file, line, string.IsNullOrEmpty(e.Path) ? "$" : e.Path, $"the presets file is not valid JSON (line {line}); fix the syntax; comments and trailing commas are allowed"));
            return [];
        }
        catch (ArgumentException)
        {
            problems.Add(new LlmDefinitionProblem(file, 0, "$", "the presets file is not valid UTF-8; save it as UTF-8"));
            return [];
        }

        using (document)
        {
            var lines = JsonLineMap.For(bytes);
            var root = new SourceLocation(file, "$", lines);
            var before = problems.Count;
            var presets = new List<PresetDefinition>();
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add(root.Problem("a presets file must hold one JSON object with \"presets\": { \"<name>\": { \"adapter\": ..., \"base_url\": ... } }"));
                return [];
            }

            var found = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var at = root.Child(property.Name, lines);
                if (property.Name.StartsWith('$'))
                {
                    continue;
                }

                if (property.Name != PresetsKey)
                {
                    problems.Add(at.Problem($"unknown key \"{property.Name}\" in a presets file{Internal.DidYouMean.Hint(property.Name, [PresetsKey])}; it holds \"presets\" only (keys starting with '$' are ignored)"));
                    continue;
                }

                found = true;
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(at.Problem("\"presets\" must be an object of presets by name"));
                    continue;
                }

                ReadPresets(property.Value, at, lines, builtIn, presets, problems);
            }

            if (!found)
            {
                problems.Add(root.Problem("the presets file has no \"presets\"; add \"presets\": { \"<name>\": { \"adapter\": \"openai\", \"base_url\": \"https://...\" } }"));
            }

            return problems.Count > before ? [] : presets;
        }
    }

    /// <summary>The presets of the <c>"presets"</c> object, each once.</summary>
    private static void ReadPresets(JsonElement value, SourceLocation at, JsonLineMap lines, bool builtIn, List<PresetDefinition> presets, List<LlmDefinitionProblem> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var preset in value.EnumerateObject())
        {
            var presetAt = at.Child(preset.Name, lines);
            if (!names.Add(preset.Name))
            {
                problems.Add(presetAt.Problem($"the preset '{preset.Name}' appears twice; keep one"));
                continue;
            }

            if (ReadPreset(preset.Name, preset.Value, presetAt, lines, builtIn, problems) is { } read)
            {
                presets.Add(read);
            }
        }
    }

    // The two loops of a preset are methods of their own, so that ReadPreset has none: the runtime compiles a method with a
    // loop with profiling probes in every block (for tiered PGO), which makes a big method slower to compile on a cold load.
    private static void CheckPresetKeys(string name, JsonElement value, SourceLocation at, JsonLineMap lines, List<LlmDefinitionProblem> problems)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (!PresetKeys.Contains(property.Name) && !property.Name.StartsWith('$'))
            {
                problems.Add(at.Child(property.Name, lines).Problem($"unknown key \"{property.Name}\" in preset '{name}'{Internal.DidYouMean.Hint(property.Name, PresetKeys)} (known keys: {string.Join(", ", PresetKeys)}; keys starting with '$' are ignored)"));
            }
        }
    }

    private static void ReadVariables(string name, JsonElement value, SourceLocation at, JsonLineMap lines, Dictionary<string, string?> variables, List<LlmDefinitionProblem> problems)
    {
        foreach (var variable in value.EnumerateObject())
        {
            if (variable.Value.ValueKind != JsonValueKind.String)
            {
                problems.Add(at.Child(variable.Name, lines).Problem($"the variable '{variable.Name}' of preset '{name}' must be a string (profile variables are strings)"));
                continue;
            }

            variables[variable.Name] = variable.Value.GetString();
        }
    }

    private static PresetDefinition? ReadPreset(string name, JsonElement value, SourceLocation at, JsonLineMap lines, bool builtIn, List<LlmDefinitionProblem> problems)
    {
        if (name.Length == 0 || name.Any(char.IsWhiteSpace))
        {
            problems.Add(at.Problem($"the preset name '{name}' must be a non-empty word without spaces, as a profile's Adapter names it"));
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add(at.Problem($"the preset '{name}' must be an object with \"adapter\" and \"base_url\""));
            return null;
        }

        var before = problems.Count;
        CheckPresetKeys(name, value, at, lines, problems);

        string? adapter = null;
        if (!value.TryGetProperty("adapter", out var adapterValue))
        {
            problems.Add(at.Problem($"the preset '{name}' has no \"adapter\"; name the adapter it runs on, such as \"openai\""));
        }
        else
        {
            adapter = String(adapterValue, at.Child("adapter", lines), "the adapter's name, such as \"openai\"", problems);
        }

        string? baseUrl = null;
        if (value.TryGetProperty("base_url", out var urlValue))
        {
            var urlAt = at.Child("base_url", lines);
            baseUrl = String(urlValue, urlAt, "the host's base URL, such as \"https://api.deepseek.com\"", problems);
            if (baseUrl is not null && !UrlSyntax.IsHttpBaseUrl(baseUrl))
            {
                problems.Add(urlAt.Problem($"the base URL of preset '{name}' must be an absolute http(s) URL without user info, query or fragment, such as \"https://api.deepseek.com\""));
            }
        }

        string? description = null;
        if (value.TryGetProperty("description", out var descriptionValue))
        {
            description = String(descriptionValue, at.Child("description", lines), "one line for listings", problems);
        }

        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (value.TryGetProperty("variables", out var variablesValue))
        {
            var variablesAt = at.Child("variables", lines);
            if (variablesValue.ValueKind != JsonValueKind.Object)
            {
                problems.Add(variablesAt.Problem($"\"variables\" of preset '{name}' must be an object of variable names and string values, such as {{ \"model\": \"deepseek-chat\" }}"));
            }
            else
            {
                ReadVariables(name, variablesValue, variablesAt, lines, variables, problems);
            }
        }

        return problems.Count > before || adapter is null
            ? null
            : new PresetDefinition(name, adapter, baseUrl, description, variables, at, builtIn);
    }

    private static string? String(JsonElement value, SourceLocation at, string what, List<LlmDefinitionProblem> problems)
    {
        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString();
        }

        problems.Add(at.Problem($"must be a non-empty string: {what}"));
        return null;
    }
}
