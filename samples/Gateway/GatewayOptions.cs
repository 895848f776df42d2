using System.Globalization;

namespace Gateway;

/// <summary>The gateway's own settings (section <c>Gateway</c>), read once at start; every problem is reported together.</summary>
internal sealed class GatewayOptions
{
    /// <summary>Client keys (<c>Gateway:ApiKeys</c>) are kept by <see cref="GatewayKeys"/> (read again when the configuration reloads); everything else is here.</summary>
    private GatewayOptions()
    {
    }

    /// <summary>Serve the loopback demo upstream when no profile is configured (<c>Gateway:Demo</c> or <c>--demo</c>); never implied.</summary>
    public bool Demo { get; private init; }

    /// <summary>Every route lives under this prefix (<c>Gateway:PathPrefix</c>, or <c>API_PATH</c> as in the original), such as <c>/custom</c>; empty: none.</summary>
    public string PathPrefix { get; private init; } = "";

    /// <summary>The key that protects <c>/keys</c> (<c>Gateway:AdminKey</c>); without one the admin endpoints answer 403.</summary>
    public string? AdminKey { get; private init; }

    /// <summary>Where runtime-added upstream keys are kept without Redis (<c>Gateway:DataDirectory</c>, file <c>keys.json</c>).</summary>
    public string DataDirectory { get; private init; } = "";

    /// <summary>StackExchange.Redis configuration string (<c>Gateway:Redis:Configuration</c>); null: state stays in this process.</summary>
    public string? Redis { get; private init; }

    /// <summary>Prefix of every Redis key the gateway writes (<c>Gateway:Redis:Prefix</c>), so several gateways can share one Redis.</summary>
    public string RedisPrefix { get; private init; } = "llm-gateway:";

    /// <summary>How often every upstream key is validated again (<c>Gateway:KeyCheckInterval</c>); null: never.</summary>
    public TimeSpan? KeyCheckInterval { get; private init; }

    /// <summary>How long a key rests after a 429 that did not say (no Retry-After) (<c>Gateway:RateLimitRest</c>).</summary>
    public TimeSpan RateLimitRest { get; private init; } = TimeSpan.FromSeconds(10);

    /// <summary>The SearXNG-compatible search service (<c>Gateway:Search:Url</c>, or <c>SEARXNG_URL</c>); null: no web search.</summary>
    public Uri? SearchUrl { get; private init; }

    /// <summary>Search on every <c>/v1/chat/completions</c> request too, not only on <c>/web/v1/...</c> (<c>Gateway:Search:OnAllRequests</c>, or <c>TOOL_ALL_IN_ONE</c>).</summary>
    public bool SearchOnAllRequests { get; private init; }

    /// <summary>How many search results go into the prompt (<c>Gateway:Search:MaxResults</c>).</summary>
    public int SearchMaxResults { get; private init; } = 5;

    /// <summary>Client-facing model names that map to a profile and, optionally, an upstream model (<c>Gateway:Models:&lt;name&gt;:Profile</c> and <c>:Model</c>).</summary>
    public IReadOnlyDictionary<string, ModelAlias> Aliases { get; private init; } = new Dictionary<string, ModelAlias>();

    /// <summary>A request's model <c>&lt;profile&gt;/&lt;upstream model&gt;</c> goes to that profile with that model (<c>Gateway:PassThroughModels</c>).</summary>
    public bool PassThroughModels { get; private init; }

    /// <summary>Reads the section; every problem in one message.</summary>
    /// <exception cref="InvalidOperationException">A setting has a value that cannot be used.</exception>
    public static GatewayOptions Read(IConfiguration configuration)
    {
        var problems = new List<string>();
        var section = configuration.GetSection("Gateway");
        var prefix = (section["PathPrefix"] ?? configuration["API_PATH"] ?? "").Trim().Trim('/');
        if (prefix.Contains("//", StringComparison.Ordinal) || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '/'))
        {
            problems.Add($"Gateway:PathPrefix (API_PATH) '{prefix}' is not a path such as /custom (letters, digits, - _ . ~ and /).");
            prefix = "";
        }

        var searchText = section["Search:Url"] ?? configuration["SEARXNG_URL"];
        Uri? searchUrl = null;
        if (!string.IsNullOrWhiteSpace(searchText) && (!Uri.TryCreate(searchText.Trim(), UriKind.Absolute, out searchUrl) || searchUrl.Scheme is not ("http" or "https")))
        {
            problems.Add($"Gateway:Search:Url (SEARXNG_URL) '{searchText}' is not an absolute http(s) URL of a SearXNG-compatible service.");
            searchUrl = null;
        }

        var searchAll = Flag(section["Search:OnAllRequests"] ?? configuration["TOOL_ALL_IN_ONE"], "Gateway:Search:OnAllRequests", problems);
        if (searchAll && searchUrl is null && string.IsNullOrWhiteSpace(searchText))
        {
            problems.Add("Gateway:Search:OnAllRequests is true but Gateway:Search:Url (SEARXNG_URL) is not set: name the search service to use.");
        }

        var aliases = new Dictionary<string, ModelAlias>(StringComparer.OrdinalIgnoreCase);
        foreach (var alias in section.GetSection("Models").GetChildren())
        {
            var profile = alias.Value ?? alias["Profile"];
            if (string.IsNullOrWhiteSpace(profile))
            {
                problems.Add($"Gateway:Models:{alias.Key} needs a Profile (the LlmAdapters profile that serves it).");
                continue;
            }

            aliases[alias.Key] = new ModelAlias(alias.Key, profile.Trim(), string.IsNullOrWhiteSpace(alias["Model"]) ? null : alias["Model"]!.Trim());
        }

        var options = new GatewayOptions
        {
            Demo = Flag(section["Demo"], "Gateway:Demo", problems),
            PathPrefix = prefix.Length == 0 ? "" : "/" + prefix,
            AdminKey = string.IsNullOrWhiteSpace(section["AdminKey"]) ? null : section["AdminKey"]!.Trim(),
            DataDirectory = string.IsNullOrWhiteSpace(section["DataDirectory"]) ? Path.Combine(AppContext.BaseDirectory, "data") : section["DataDirectory"]!,
            Redis = string.IsNullOrWhiteSpace(section["Redis:Configuration"]) ? null : section["Redis:Configuration"],
            RedisPrefix = section["Redis:Prefix"] ?? "llm-gateway:",
            KeyCheckInterval = Duration(section["KeyCheckInterval"], "Gateway:KeyCheckInterval", problems, allowOff: true),
            RateLimitRest = Duration(section["RateLimitRest"], "Gateway:RateLimitRest", problems, allowOff: false) ?? TimeSpan.FromSeconds(10),
            SearchUrl = searchUrl,
            SearchOnAllRequests = searchAll,
            SearchMaxResults = int.TryParse(section["Search:MaxResults"], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0 ? max : 5,
            Aliases = aliases,
            PassThroughModels = Flag(section["PassThroughModels"], "Gateway:PassThroughModels", problems),
        };

        return problems.Count == 0 ? options : throw new InvalidOperationException("The gateway's configuration has problems: " + string.Join(" ", problems));
    }

    private static bool Flag(string? value, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (bool.TryParse(value.Trim(), out var flag))
        {
            return flag;
        }

        problems.Add($"{name} is '{value}'; write true or false.");
        return false;
    }

    private static TimeSpan? Duration(string? value, string name, List<string> problems, bool allowOff)
    {
        if (string.IsNullOrWhiteSpace(value) || (allowOff && value.Trim() is "0" or "00:00:00" or "off"))
        {
            return null;
        }

        if (TimeSpan.TryParse(value.Trim(), CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        problems.Add($"{name} is '{value}'; write a positive duration such as 00:30:00{(allowOff ? ", or off" : "")}.");
        return null;
    }
}

/// <summary>A client-facing model name served by a profile, with the upstream model to ask for (null: the profile's own).</summary>
internal sealed record ModelAlias(string Name, string Profile, string? UpstreamModel);
