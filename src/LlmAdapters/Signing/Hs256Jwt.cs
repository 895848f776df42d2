using System.Security.Cryptography;
using System.Text;

namespace LlmAdapters.Signing;

/// <summary>A JSON Web Token signed with HMAC-SHA256 (RFC 7519, JWS compact serialization of RFC 7515): base64url(header).base64url(payload).base64url(HMAC).</summary>
internal static class Hs256Jwt
{
    /// <summary>Signs the header and payload as given (their exact JSON bytes), so that a published vector can be checked byte for byte.</summary>
    public static string Encode(ReadOnlySpan<byte> headerJson, ReadOnlySpan<byte> payloadJson, ReadOnlySpan<byte> key)
    {
        var signingInput = Base64Url(headerJson) + "." + Base64Url(payloadJson);
        var mac = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url(mac);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
