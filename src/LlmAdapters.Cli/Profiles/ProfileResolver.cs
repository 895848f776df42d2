using System.Text;
using System.Text.Json;
using LlmAdapters.Cli.Converters;

namespace LlmAdapters.Cli.Profiles;

/// <summary>Builds the profile of a command from the settings file, the environment and the command line, in that order of precedence (later wins).</summary>
/// <remarks>
/// Environment variables: <c>LLM_ADAPTERS_&lt;NAME&gt;_&lt;VARIABLE&gt;</c>, where NAME is the profile (or adapter) name in upper case
/// with every other character than A-Z and 0-9 as <c>_</c>, and VARIABLE the variable's name in upper case
/// (<c>LLM_ADAPTERS_KIMI_APIKEY</c> sets <c>apikey</c>); <c>LLM_ADAPTERS_&lt;NAME&gt;_BASE_URL</c> sets the base URL.
/// </remarks>
internal static class ProfileResolver
{
    public const string EnvironmentPrefix = "LLM_ADAPTERS_";

    /// <exception cref="CliUsageException">A <c>--var</c> is malformed, or the name is neither a profile nor an adapter.</exception>
    /// <exception cref="LlmDefinitionException">A definition file is invalid.</exception>
    public static ResolvedProfile Resolve(ProfileOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var settings = CliSettings.Load(options.SettingsFile, console);
        var target = options.Target;
        var paths = settings.AdapterPaths.Concat(options.AdapterPaths.Select(console.FullPath)).ToList();
        var converters = ConverterAssemblies.Load(options.ConverterAssemblies.Select(console.FullPath));

        // replay and call accept a definition file in place of an adapter name: the authoring loop.
        string? adapterFromFile = null;
        if (target.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(console.FullPath(target)))
        {
            var file = console.FullPath(target);
            adapterFromFile = CatalogLoader.Load([file], includeBuiltIns: false, converters).Adapters.Single();
            paths.Add(file);
        }

        var catalog = CatalogLoader.Load(paths, includeBuiltIns: true, converters);
        LlmProfile profile;
        string name;
        if (adapterFromFile is not null)
        {
            name = adapterFromFile;
            profile = new LlmProfile { Adapter = adapterFromFile };
        }
        else if (settings.Profiles.TryGetValue(target, out var configured))
        {
            name = target;
            profile = catalog.ResolveProfile(configured); // a copy, with the preset it names applied
        }
        else if (catalog.ContainsAdapterOrPreset(target))
        {
            // An adapter, or a preset: its adapter, base URL and default variables, which options and --var override.
            name = target;
            profile = catalog.ResolveProfile(new LlmProfile { Adapter = target });
        }
        else
        {
            var profiles = settings.Profiles.Count == 0
                ? $"no settings file defines profiles (--settings, {CliSettings.EnvironmentVariable} or ./{CliSettings.DefaultFileName})"
                : $"profiles in {console.DisplayPath(settings.File!)}: {string.Join(", ", settings.Profiles.Keys.Order(StringComparer.Ordinal))}";
            throw new CliUsageException($"'{target}' is neither a profile, an adapter nor a preset{LlmAdapters.Internal.DidYouMean.Hint(target, catalog.AdapterAndPresetNames.Concat(settings.Profiles.Keys))}. Adapters: {string.Join(", ", catalog.Adapters.Order(StringComparer.Ordinal))}; presets: {catalog.PresetList()}; {profiles}.");
        }

        ApplyEnvironment(profile, name, console);
        if (options.BaseUrl is not null)
        {
            profile.BaseUrl = options.BaseUrl;
        }

        var requestVariables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (variable, value) in ParseVariables(options.Variables, "--var"))
        {
            SetVariable(profile, requestVariables, variable, value, alwaysJson: false);
        }

        foreach (var (variable, value) in ParseVariables(options.JsonVariables, "--var-json"))
        {
            SetVariable(profile, requestVariables, variable, value, alwaysJson: true);
        }

        return new ResolvedProfile(name, catalog, profile, SecretMasker.For(profile), requestVariables);
    }

    /// <summary>
    /// A value that is a JSON number, boolean, null, array or object goes to the request as JSON (<c>--var max_tokens=100</c>
    /// sends 100, not "100"); anything else, a JSON string (unquoted), and every secret (named like one) goes to the profile
    /// as text, where the library masks it.
    /// </summary>
    /// <exception cref="CliUsageException"><paramref name="alwaysJson"/> and the value is not JSON.</exception>
    private static void SetVariable(LlmProfile profile, Dictionary<string, object?> requestVariables, string name, string value, bool alwaysJson)
    {
        JsonElement? json = null;
        try
        {
            using var document = JsonDocument.Parse(value);
            json = document.RootElement.Clone();
        }
        catch (JsonException e) when (alwaysJson)
        {
            throw new CliUsageException($"--var-json {name}=... takes JSON (such as 100, true, [1, 2] or {{\"a\": 1}}): {e.Message}", e);
        }
        catch (JsonException)
        {
            // Not JSON: text.
        }

        var text = json switch
        {
            null => value,
            { ValueKind: JsonValueKind.String } s => s.GetString()!,
            _ => null,
        };
        if (name == "base_url" || SecretMasker.IsSecretName(name, profile.SecretVariables))
        {
            text ??= value.Trim();
        }

        requestVariables.Remove(name);
        if (text is null)
        {
            requestVariables[name] = json!.Value;
        }
        else if (name == "base_url")
        {
            profile.BaseUrl = text;
        }
        else
        {
            profile.Variables[name] = text;
        }
    }

    /// <summary>The environment variable prefix of a profile: <c>LLM_ADAPTERS_KIMI_</c>.</summary>
    public static string EnvironmentPrefixOf(string name)
    {
        var builder = new StringBuilder(EnvironmentPrefix);
        foreach (var c in name.ToUpperInvariant())
        {
            builder.Append(c is >= 'A' and <= 'Z' or >= '0' and <= '9' ? c : '_');
        }

        return builder.Append('_').ToString();
    }

    /// <exception cref="CliUsageException">An item has no <c>=</c> or no name.</exception>
    public static IEnumerable<KeyValuePair<string, string>> ParseVariables(IEnumerable<string> items, string option = "--var")
    {
        foreach (var item in items)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"{option} takes name=value (such as --var model=gpt-4o-mini or --var max_tokens=100); got '{(equals < 0 ? item.Split(' ')[0] : item)}'.");
            }

            yield return new(item[..equals].Trim(), item[(equals + 1)..]);
        }
    }

    private static void ApplyEnvironment(LlmProfile profile, string name, CliConsole console)
    {
        var prefix = EnvironmentPrefixOf(name);
        foreach (var (key, value) in console.Environment)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length || value.Length == 0)
            {
                continue;
            }

            var variable = key[prefix.Length..];
            if (variable == "BASE_URL")
            {
                profile.BaseUrl = value;
            }
            else
            {
                profile.Variables[variable.ToLowerInvariant()] = value;
            }
        }
    }
}
