namespace LlmAdapters.Cli.Profiles;

/// <summary>A profile ready to create a client from: its name, the catalog it refers to, the masker for its secrets, and the typed variables the request carries.</summary>
/// <param name="Name">The profile's (or adapter's) name, as the environment variables use it.</param>
/// <param name="Catalog">The shipped adapters, the user's files and converters.</param>
/// <param name="Profile">The profile: settings file, environment, <c>--base-url</c> and the text <c>--var</c> values.</param>
/// <param name="Masker">Masks the profile's secrets in what the tool prints.</param>
/// <param name="RequestVariables">The <c>--var</c> and <c>--var-json</c> values that are JSON (numbers, booleans, arrays, objects), for <see cref="LlmRequest.Variables"/>.</param>
internal sealed record ResolvedProfile(string Name, LlmCatalog Catalog, LlmProfile Profile, SecretMasker Masker, IReadOnlyDictionary<string, object?> RequestVariables);
