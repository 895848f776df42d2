namespace LlmAdapters.Cli.Profiles;

/// <summary>A profile ready to create a client from: its name, the catalog it refers to, and the masker for its secrets.</summary>
internal sealed record ResolvedProfile(string Name, LlmCatalog Catalog, LlmProfile Profile, SecretMasker Masker);
