using System.Collections.Concurrent;
using LlmAdapters;
using Microsoft.Extensions.Options;

namespace Gateway;

/// <summary>
/// Takes over the upstream keys and fallbacks of every profile from the library, so the gateway can share their state
/// between instances (see <see cref="UpstreamKeys"/>) and answer honestly when every key is unusable.
/// </summary>
/// <remarks>
/// Runs as a post-configuration of <see cref="LlmAdaptersOptions"/>: each profile's <c>ApiKeys</c> and <c>Variables:apikey</c>
/// are recorded here and the profile keeps only the first key as its <c>apikey</c> variable (so the library's validation still
/// sees a key); every request then names its key in <see cref="LlmRequest.Variables"/>, which wins over the profile's.
/// <c>Fallbacks</c> move here too (the gateway walks them itself, each with its own keys), and 429 leaves the library's retry
/// list (a rate-limited key rests and the gateway goes on with the next key at once). A profile with <c>Credentials</c>
/// (credential sets) keeps the library's own rotation.
/// </remarks>
internal sealed class GatewayProfiles : IPostConfigureOptions<LlmAdaptersOptions>
{
    private readonly ConcurrentDictionary<string, GatewayProfile> _profiles = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The profile as the gateway sees it (keys and fallbacks from configuration), or null when none has that name.</summary>
    public GatewayProfile? Get(string name) => _profiles.GetValueOrDefault(name);

    public void PostConfigure(string? name, LlmAdaptersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (profileName, profile) in options.Profiles)
        {
            if (profile.Credentials.Count > 0)
            {
                _profiles[profileName] = new GatewayProfile(profileName, profile.Adapter, [], false, [.. profile.Fallbacks]);
                continue;
            }

            var keys = profile.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).ToList();
            if (profile.Variables.TryGetValue("apikey", out var single) && !string.IsNullOrWhiteSpace(single) && !keys.Contains(single.Trim()))
            {
                keys.Insert(0, single.Trim());
            }

            _profiles[profileName] = new GatewayProfile(profileName, profile.Adapter, keys, true, [.. profile.Fallbacks]);
            if (keys.Count > 0)
            {
                profile.Variables["apikey"] = keys[0];
            }

            profile.ApiKeys = [];
            profile.Fallbacks = [];
            profile.Retry.StatusCodes = [.. profile.Retry.StatusCodes.Where(s => s != 429)];
        }
    }
}

/// <summary>A profile's configured upstream keys and fallbacks; <paramref name="ManagesKeys"/> false when the library rotates its credential sets.</summary>
internal sealed record GatewayProfile(string Name, string Adapter, IReadOnlyList<string> ConfiguredKeys, bool ManagesKeys, IReadOnlyList<string> Fallbacks);
