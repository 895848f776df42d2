namespace LlmAdapters.Cli;

/// <summary>Replaces the values of a profile's secret variables with <c>***</c> in everything the tool prints.</summary>
/// <remarks>
/// The library masks secrets in its own exceptions; this covers what the tool prints itself (requests, JSON output, fields).
/// A variable is a secret by the same rule as the library's: a word of its name is key, apikey, token, secret, password...,
/// or it is listed in <see cref="LlmProfile.SecretVariables"/>.
/// </remarks>
internal sealed class SecretMasker
{
    public const string Mask = "***";

    private const int MinimumSecretLength = 4;

    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "apikey", "key", "token", "secret", "password", "passwd", "pwd", "authorization", "auth", "credential", "credentials", "bearer", "signature",
    };

    private readonly string[] _secrets;

    public SecretMasker(IEnumerable<string> secrets)
    {
        _secrets = [.. secrets.Where(s => s.Length >= MinimumSecretLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    public static SecretMasker None { get; } = new([]);

    public static SecretMasker For(LlmProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new SecretMasker(profile.Variables
            .Where(v => v.Value is not null && IsSecretName(v.Key, profile.SecretVariables))
            .Select(v => v.Value!));
    }

    /// <summary>True when a variable of this name holds a secret.</summary>
    public static bool IsSecretName(string name, IEnumerable<string>? extraSecretNames = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (extraSecretNames?.Contains(name, StringComparer.OrdinalIgnoreCase) == true)
        {
            return true;
        }

        var start = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            var boundary = i == name.Length || name[i] is '_' or '-' or '.' or ' ' || (i > start && char.IsUpper(name[i]) && char.IsLower(name[i - 1]));
            if (!boundary)
            {
                continue;
            }

            if (i > start && SecretWords.Contains(name[start..i]))
            {
                return true;
            }

            start = name.Length > i && name[i] is '_' or '-' or '.' or ' ' ? i + 1 : i;
        }

        return false;
    }

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
