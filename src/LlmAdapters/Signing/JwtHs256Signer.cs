using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace LlmAdapters.Signing;

/// <summary>
/// The <c>jwt_hs256</c> scheme, for Zhipu GLM's <c>id.secret</c> API keys: an HS256 JWT with header
/// <c>{"alg":"HS256","sign_type":"SIGN"}</c> and claims <c>{"api_key": id, "exp": ms, "timestamp": ms}</c> (times in
/// milliseconds, as zhipuai-sdk-python-v4 zhipuai/core/_jwt_token.py makes them), sent as <c>Authorization: Bearer &lt;jwt&gt;</c>.
/// </summary>
/// <remarks>
/// Parameters: <c>apikey</c> (required, <c>id.secret</c>), <c>ttl</c> (seconds the token is valid; 210 as in the SDK),
/// <c>header</c> (default <c>Authorization</c>) and <c>prefix</c> (default <c>Bearer </c>). A token is reused until
/// 30 seconds before it expires (per key; at most <see cref="MaxCachedKeys"/> keys are kept). Thread-safe.
/// </remarks>
internal sealed class JwtHs256Signer : ILlmRequestSigner
{
    public const string SchemeName = "jwt_hs256";

    /// <summary>The SDK's token lifetime: its 3-minute cache plus 30 seconds.</summary>
    private const int DefaultTtlSeconds = 210;

    /// <summary>A token is not sent when it expires sooner than this (it could expire in flight).</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    public const int MaxCachedKeys = 256;

    // Made on the first signature, not when a catalog loads: a load makes the signer (to check definitions against
    // it), and the concurrent dictionary's generic code over these tuples would be compiled at every cold start.
    private ConcurrentDictionary<(string Key, int Ttl), (string Token, DateTimeOffset Expires)>? _tokens;

    public string Name => SchemeName;

    public IReadOnlyCollection<string> Parameters { get; } = ["apikey", "ttl", "header", "prefix"];

    public ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken)
    {
        var apiKey = context.GetRequiredParameter("apikey");
        var ttl = DefaultTtlSeconds;
        if (context.GetParameter("ttl") is { } ttlText && (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out ttl) || ttl < 60 || ttl > 86_400))
        {
            throw new LlmRequestException($"The signing scheme '{SchemeName}' needs \"ttl\" to be a whole number of seconds from 60 to 86400. Nothing was sent.");
        }

        var token = TokenFor(apiKey, ttl, context.Now);
        context.AddDerivedSecret(token); // a bearer credential for its lifetime: masked in errors like the key
        var header = context.GetParameter("header") ?? "Authorization";
        var prefix = context.GetParameter("prefix") ?? "Bearer ";
        context.Request.Headers.Remove(header);
        context.Request.Headers.TryAddWithoutValidation(header, prefix + token);
        return ValueTask.CompletedTask;
    }

    private string TokenFor(string apiKey, int ttl, DateTimeOffset now)
    {
        var tokens = LazyInitializer.EnsureInitialized(ref _tokens);
        if (tokens.TryGetValue((apiKey, ttl), out var cached) && cached.Expires - RenewBefore > now)
        {
            return cached.Token;
        }

        var made = Create(apiKey, now, ttl);
        if (tokens.Count >= MaxCachedKeys)
        {
            tokens.Clear(); // bounded: a process that cycles through many keys re-signs, it does not grow
        }

        tokens[(apiKey, ttl)] = (made, now.AddSeconds(ttl));
        return made;
    }

    /// <summary>The token for <paramref name="apiKey"/> (<c>id.secret</c>) made at <paramref name="now"/>.</summary>
    /// <exception cref="LlmRequestException">The key is not <c>id.secret</c> (the message does not quote it).</exception>
    public static string Create(string apiKey, DateTimeOffset now, int ttlSeconds = DefaultTtlSeconds)
    {
        var dot = apiKey.IndexOf('.');
        if (dot <= 0 || dot == apiKey.Length - 1 || apiKey.IndexOf('.', dot + 1) >= 0)
        {
            throw new LlmRequestException($"The signing scheme '{SchemeName}' needs an API key of the form <id>.<secret> (as Zhipu issues them); the key given is not. Nothing was sent.");
        }

        var id = apiKey[..dot];
        var secret = apiKey[(dot + 1)..];
        var millis = now.ToUnixTimeMilliseconds();
        using var payload = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("api_key", id);
            writer.WriteNumber("exp", millis + (ttlSeconds * 1000L));
            writer.WriteNumber("timestamp", millis);
            writer.WriteEndObject();
        }

        return Hs256Jwt.Encode("{\"alg\":\"HS256\",\"sign_type\":\"SIGN\"}"u8, payload.ToArray(), Encoding.UTF8.GetBytes(secret));
    }

    public override string ToString() => SchemeName;
}
