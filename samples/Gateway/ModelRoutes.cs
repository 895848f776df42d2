namespace Gateway;

/// <summary>
/// Which profile serves a client's model name: a profile's own name; an alias (<c>Gateway:Models</c>) that names a profile
/// and, optionally, the upstream model to ask for; or, when <c>Gateway:PassThroughModels</c> is true,
/// <c>&lt;profile&gt;/&lt;upstream model&gt;</c>.
/// </summary>
internal sealed class ModelRoutes(ProfileClients clients, GatewayOptions options)
{
    public ModelRoute? Resolve(string model)
    {
        if (clients.Find(model) is { } profile)
        {
            return new ModelRoute(profile, profile, null);
        }

        if (options.Aliases.TryGetValue(model, out var alias) && clients.Find(alias.Profile) is { } aliased)
        {
            return new ModelRoute(alias.Name, aliased, alias.UpstreamModel);
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (options.PassThroughModels && slash > 0 && slash < model.Length - 1 && clients.Find(model[..slash]) is { } passed)
        {
            return new ModelRoute(model, passed, model[(slash + 1)..]);
        }

        return null;
    }

    /// <summary>Every model name a client may list: the profiles and the aliases whose profile exists.</summary>
    public IReadOnlyList<(string Id, string Profile)> List()
        => [.. clients.Profiles.Keys.Select(p => (p, p))
            .Concat(options.Aliases.Values.Where(a => clients.Find(a.Profile) is not null && clients.Find(a.Name) is null).Select(a => (a.Name, clients.Find(a.Profile)!)))
            .OrderBy(m => m.Item1, StringComparer.OrdinalIgnoreCase)];

    public string Hint() => options.PassThroughModels ? " (or <profile>/<upstream model>)" : "";
}

/// <summary>A client's model name, the profile that serves it, and the upstream model to ask for (null: the profile's own).</summary>
internal sealed record ModelRoute(string ClientModel, string Profile, string? UpstreamModel);
