using System.Security.Cryptography;
using System.Text;

namespace Gateway;

/// <summary>The keys clients must send as <c>Authorization: Bearer &lt;key&gt;</c>: <c>Gateway:ApiKeys</c>, a list or one comma-separated value.</summary>
/// <remarks>Read from configuration on every request, so a key added or removed through a reloaded configuration applies at once.</remarks>
internal static class GatewayKeys
{
    public static List<string> Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Gateway:ApiKeys");
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value);
        return [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }

    /// <summary>True when no key is configured, or the request's bearer token is one of them (compared in fixed time).</summary>
    public static bool IsAuthorized(HttpContext context, IConfiguration configuration)
    {
        var keys = Read(configuration);
        if (keys.Count == 0)
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
            ok |= CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(key));
        }

        return ok;
    }
}
