using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Gateway;

/// <summary>The keys clients must send as <c>Authorization: Bearer &lt;key&gt;</c>: <c>Gateway:ApiKeys</c>, a list or one comma-separated value.</summary>
/// <remarks>
/// Read from configuration once and again whenever it reloads (its reload token), so a key added or removed through a
/// reloaded configuration applies at once; not on every request, where walking the configuration's providers showed in
/// the profile of a sync request.
/// </remarks>
internal sealed class GatewayKeys : IDisposable
{
    private readonly IDisposable _subscription;
    private byte[][] _keys;

    public GatewayKeys(IConfiguration configuration)
    {
        _keys = Encode(Read(configuration));
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Volatile.Write(ref _keys, Encode(Read(configuration))));
    }

    public static List<string> Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Gateway:ApiKeys");
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value);
        return [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }

    /// <summary>True when no key is configured, or the request's bearer token is one of them (compared in fixed time).</summary>
    public bool IsAuthorized(HttpContext context)
    {
        var keys = Volatile.Read(ref _keys);
        if (keys.Length == 0)
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var ok = false;
        foreach (var key in keys)
        {
            ok |= CryptographicOperations.FixedTimeEquals(given, key);
        }

        return ok;
    }

    public void Dispose() => _subscription.Dispose();

    private static byte[][] Encode(List<string> keys) => [.. keys.Select(Encoding.UTF8.GetBytes)];
}
