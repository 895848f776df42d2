using LlmAdapters.Internal;
using LlmAdapters.Reliability;

namespace LlmAdapters.Cli;

/// <summary>Replaces the values of a profile's secrets with <c>***</c> in everything the tool prints.</summary>
/// <remarks>
/// The library masks secrets in its own exceptions; this covers what the tool prints itself (requests, JSON output,
/// fields), by the library's own rule (<see cref="SecretRedactor"/>): variables named like a secret, those listed in
/// <see cref="LlmProfile.SecretVariables"/>, and every rotated key.
/// </remarks>
internal sealed class SecretMasker
{
    public const string Mask = SecretRedactor.Mask;

    private readonly SecretRedactor _redactor;

    public SecretMasker(IEnumerable<string> secrets) => _redactor = new SecretRedactor(secrets);

    public static SecretMasker None { get; } = new([]);

    public static SecretMasker For(LlmProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new SecretMasker(profile.Variables
            .Where(v => v.Value is not null && IsSecretName(v.Key, profile.SecretVariables))
            .Select(v => v.Value!)
            .Concat(KeyPool.Secrets(profile)));
    }

    /// <summary>True when a variable of this name holds a secret.</summary>
    public static bool IsSecretName(string name, IEnumerable<string>? extraSecretNames = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SecretRedactor.IsSecretName(name, extraSecretNames);
    }

    public string Apply(string? text) => _redactor.Redact(text);
}
