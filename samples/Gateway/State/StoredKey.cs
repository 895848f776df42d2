using System.Security.Cryptography;
using System.Text;

namespace Gateway;

/// <summary>An upstream key added at run time (<c>POST /keys</c>), for one profile.</summary>
internal sealed record StoredKey(string Id, string Profile, string Key, DateTimeOffset Added)
{
    /// <summary>A key's id: a short hash of profile and key (never the key), the same on every instance.</summary>
    public static string IdFor(string profile, string key)
        => "key-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(profile.ToUpperInvariant() + "\n" + key)))[..12].ToLowerInvariant();

    /// <summary>The key as it may be shown: its first three and last four characters, or only asterisks when it is short.</summary>
    public static string Mask(string key) => key.Length < 12 ? new string('*', 8) : $"{key[..3]}…{key[^4..]}";

    /// <summary>Never the key.</summary>
    public override string ToString() => $"{Id} ({Profile})";
}
