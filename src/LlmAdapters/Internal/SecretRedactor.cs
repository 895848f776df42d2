namespace LlmAdapters.Internal;

/// <summary>Replaces every configured secret value with <c>***</c> in text that may reach an exception, a log or a trace.</summary>
/// <remarks>
/// Immutable and thread-safe; built once per client from the profile's variables, and extended per call (<see cref="With"/>)
/// with the secrets of that call alone: a request's own secret variables and what converters made of secrets. Each secret
/// is also masked in the forms it travels in: URL-encoded, JSON-escaped, and Base64 (standard and URL-safe), including
/// inside the Base64 of a longer text such as the <c>user:key</c> of a Basic authorization.
/// </remarks>
internal sealed class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Values shorter than this are not treated as secrets: masking "a" everywhere would hide the message, not the key.</summary>
    public const int MinimumSecretLength = 4;

    /// <summary>Secrets shorter than this get no Base64 forms: the Base64 of a short value is a short run of letters that ordinary text holds by chance.</summary>
    private const int MinimumEncodedSecretLength = 8;

    // Whole words of a variable name ("access_token", "apiKey", "x-api-key"), so that "max_tokens" is not a secret.
    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "apikey", "key", "token", "secret", "password", "passwd", "pwd", "authorization", "auth", "credential", "credentials", "bearer", "signature",
    };

    private readonly string[] _values; // the secrets as given, to extend with With()
    private readonly string[] _secrets; // the secrets and every form of them that is masked

    public static readonly SecretRedactor None = new([]);

    public SecretRedactor(IEnumerable<string> secrets)
    {
        _values = secrets.Where(s => s is not null && s.Length >= MinimumSecretLength).Distinct(StringComparer.Ordinal).ToArray();

        // Longest first, so that a secret containing another is masked whole.
        _secrets = _values.SelectMany(Forms).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).ToArray();
    }

    public bool IsEmpty => _secrets.Length == 0;

    /// <summary>This redactor plus <paramref name="secrets"/> (those of one call); this one when they add nothing.</summary>
    public SecretRedactor With(IEnumerable<string> secrets)
    {
        var added = secrets.Where(s => s is not null && s.Length >= MinimumSecretLength && Array.IndexOf(_values, s) < 0).ToArray();
        return added.Length == 0 ? this : new SecretRedactor(_values.Concat(added));
    }

    /// <summary>True when <paramref name="value"/> is one of the secrets (as given, not a derived form).</summary>
    public bool Contains(string value) => Array.IndexOf(_values, value) >= 0;

    /// <summary>
    /// The secret and the forms it is sent or echoed in: URL-encoded (a query key), JSON-escaped (a body field), and
    /// Base64. For Base64, the runs of characters that encode only the secret's bytes at each of the three alignments a
    /// text can put it at: any Base64 text that encodes a text containing the secret (<c>user:secret</c>) contains one of them.
    /// </summary>
    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        var escaped = Uri.EscapeDataString(secret);
        if (escaped != secret)
        {
            yield return escaped;
        }

        // As request bodies write it (relaxed) and as most JSON writers do (every non-ASCII and HTML-sensitive character escaped).
        var relaxed = System.Text.Json.JsonEncodedText.Encode(secret, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value;
        if (relaxed != secret)
        {
            yield return relaxed;
        }

        var strict = System.Text.Json.JsonEncodedText.Encode(secret).Value;
        if (strict != secret && strict != relaxed)
        {
            yield return strict;
        }

        if (secret.Length < MinimumEncodedSecretLength)
        {
            yield break;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(secret);
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + bytes.Length];
            bytes.CopyTo(padded, offset);
            var base64 = Convert.ToBase64String(padded);

            // Character j holds bits [6j, 6j + 6); the secret's bits are [8 offset, 8 (offset + length)).
            var start = ((8 * offset) + 5) / 6;
            var end = 8 * (offset + bytes.Length) / 6;
            var core = base64[start..end];
            yield return core;
            var urlSafe = core.Replace('+', '-').Replace('/', '_');
            if (urlSafe != core)
            {
                yield return urlSafe;
            }
        }
    }

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
