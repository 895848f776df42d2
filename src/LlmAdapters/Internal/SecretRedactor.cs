namespace LlmAdapters.Internal;

/// <summary>Replaces every configured secret value with <c>***</c> in text that may reach an exception, a log or a trace.</summary>
/// <remarks>Immutable and thread-safe; built once per client from the profile's variables.</remarks>
internal sealed class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Values shorter than this are not treated as secrets: masking "a" everywhere would hide the message, not the key.</summary>
    private const int MinimumSecretLength = 4;

    // Whole words of a variable name ("access_token", "apiKey", "x-api-key"), so that "max_tokens" is not a secret.
    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "apikey", "key", "token", "secret", "password", "passwd", "pwd", "authorization", "auth", "credential", "credentials", "bearer", "signature",
    };

    private readonly string[] _secrets;

    public static readonly SecretRedactor None = new([]);

    public SecretRedactor(IEnumerable<string> secrets)
    {
        // Longest first, so that a secret containing another is masked whole.
        _secrets = secrets.Where(s => s.Length >= MinimumSecretLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
    }

    public bool IsEmpty => _secrets.Length == 0;

    /// <summary>True when a variable of this name holds a secret: one of its words is key, apikey, token, secret, password...</summary>
    public static bool IsSecretName(string name, IEnumerable<string>? extraSecretNames = null)
    {
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

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || _secrets.Length == 0)
        {
            return text ?? string.Empty;
        }

        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
