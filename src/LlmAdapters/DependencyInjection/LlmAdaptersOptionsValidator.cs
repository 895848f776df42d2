using Microsoft.Extensions.Options;

namespace LlmAdapters.DependencyInjection;

/// <summary>Checks every profile against the loaded adapters when the options are first used (at start with ValidateOnStart), reporting every problem in one message.</summary>
internal sealed class LlmAdaptersOptionsValidator(LlmCatalogProvider catalogs) : IValidateOptions<LlmAdaptersOptions>
{
    /// <summary>Variables a request fills (or a call may go without): a profile need not set them.</summary>
    private static readonly HashSet<string> RequestVariables = new(StringComparer.Ordinal)
    {
        "messages", "prompt", "system", "model", "max_tokens", "temperature", "images", "videos", "input", "dimensions",
    };

    public ValidateOptionsResult Validate(string? name, LlmAdaptersOptions options)
    {
        LlmCatalog catalog;
        try
        {
            catalog = catalogs.GetCatalog(options);
        }
        catch (LlmDefinitionException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }

        var problems = new List<string>();
        foreach (var (profileName, configured) in options.Profiles.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            // A profile naming a preset is checked as it runs: the preset's adapter, base URL and variables under its own.
            var profile = configured is null ? null : catalog.ResolveProfile(configured);
            if (profile is null)
            {
                problems.Add($"Profile '{profileName}' is empty; give it an Adapter and a BaseUrl.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(profile.Adapter))
            {
                problems.Add($"Profile '{profileName}' names no Adapter; set LlmAdapters:Profiles:{profileName}:Adapter to an adapter ({string.Join(", ", catalog.Adapters.Order(StringComparer.Ordinal))}) or a preset ({catalog.PresetList()}).");
                continue;
            }

            if (!catalog.Contains(profile.Adapter))
            {
                problems.Add($"Profile '{profileName}' names the adapter '{profile.Adapter}', which is neither a loaded adapter nor a preset{Internal.DidYouMean.Hint(profile.Adapter, catalog.AdapterAndPresetNames)}. Loaded adapters: {string.Join(", ", catalog.Adapters.Order(StringComparer.Ordinal))}; presets: {catalog.PresetList()}.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(profile.BaseUrl))
            {
                problems.Add($"Profile '{profileName}' has no BaseUrl; set LlmAdapters:Profiles:{profileName}:BaseUrl to the vendor's API address, such as https://api.openai.com/v1.");
            }
            else if (!Uri.TryCreate(profile.BaseUrl.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"Profile '{profileName}' has the BaseUrl '{Internal.UrlText.WithoutUserInfo(profile.BaseUrl)}', which is not an absolute http(s) URL.");
            }

            // The default call tells what a profile must provide; other calls may need more, and say so when called.
            var chat = catalog.Describe(profile.Adapter).FirstOrDefault(c => c.Name == "chat");
            var missing = chat?.RequiredVariables
                .Where(v => v != "base_url" && !RequestVariables.Contains(v) && !(profile.Variables.TryGetValue(v, out var value) && value is not null))
                .Where(v => !(v == "apikey" && profile.ApiKeys.Count > 0))
                .Where(v => profile.Credentials.Count == 0 || !profile.Credentials.All(c => c.TryGetValue(v, out var value) && value is not null))
                .ToList() ?? [];
            if (missing.Count > 0)
            {
                problems.Add($"Profile '{profileName}' lacks the variable{(missing.Count == 1 ? string.Empty : "s")} {string.Join(", ", missing.Select(m => $"'{m}'"))} that adapter '{profile.Adapter}' needs for its 'chat' call; set LlmAdapters:Profiles:{profileName}:Variables:{missing[0]} (from an environment variable or a secret store for keys).");
            }

            foreach (var fallback in profile.Fallbacks)
            {
                if (!options.Profiles.ContainsKey(fallback))
                {
                    problems.Add($"Profile '{profileName}' falls back to '{fallback}', which is not a configured profile{Internal.DidYouMean.Hint(fallback, options.Profiles.Keys)}.");
                }
            }
        }

        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems);
    }
}
