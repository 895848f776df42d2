using System.Text;
using System.Text.Json;
using LlmAdapters.Signing;

namespace LlmAdapters.Tests.Signing;

public class JwtHs256SignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }

    private static byte[] Base64UrlBytes(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }

    [Test]
    public void Hs256_MatchesRfc7515AppendixA1()
    {
        // RFC 7515 (JSON Web Signature) appendix A.1: the JWS Protected Header and Payload octets exactly as the RFC gives
        // them (with their CR LF), the HMAC key from the JWK "k" value, and the complete JWS compact serialization.
        var header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"u8;
        var payload = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"u8;
        var key = Base64UrlBytes("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");

        Assert.That(
            Hs256Jwt.Encode(header, payload, key),
            Is.EqualTo("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    [Test]
    public void ZhipuToken_HasTheSdksHeaderAndClaims()
    {
        // zhipuai-sdk-python-v4 zhipuai/core/_jwt_token.py: headers {"alg": "HS256", "sign_type": "SIGN"}, payload
        // {"api_key": id, "exp": now_ms + 210_000, "timestamp": now_ms}, signed with the secret after the dot;
        // tests/unit_tests/test_jwt.py uses the key '12345678.abcdefg' and reads api_key '12345678' back.
        var token = JwtHs256Signer.Create("12345678.abcdefg", Now);
        var parts = token.Split('.');

        Assert.That(parts, Has.Length.EqualTo(3));
        Assert.That(Base64UrlDecode(parts[0]), Is.EqualTo("{\"alg\":\"HS256\",\"sign_type\":\"SIGN\"}"));
        using var claims = JsonDocument.Parse(Base64UrlDecode(parts[1]));
        Assert.That(claims.RootElement.GetProperty("api_key").GetString(), Is.EqualTo("12345678"));
        Assert.That(claims.RootElement.GetProperty("timestamp").GetInt64(), Is.EqualTo(Now.ToUnixTimeMilliseconds()));
        Assert.That(claims.RootElement.GetProperty("exp").GetInt64(), Is.EqualTo(Now.ToUnixTimeMilliseconds() + 210_000));
        var mac = System.Security.Cryptography.HMACSHA256.HashData("abcdefg"u8, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Assert.That(Base64UrlBytes(parts[2]), Is.EqualTo(mac));
    }

    [TestCase("no-dot")]
    [TestCase(".secret")]
    [TestCase("id.")]
    [TestCase("a.b.c")]
    public void KeyNotIdDotSecret_IsAnError_WithoutTheKey(string key)
    {
        var e = Assert.Throws<LlmRequestException>(() => JwtHs256Signer.Create(key, Now));
        Assert.That(e!.Message, Does.Contain("<id>.<secret>"));
        Assert.That(e.Message, Does.Not.Contain(key));
    }

    private static async Task<string> SignAsync(JwtHs256Signer signer, DateTimeOffset now, string apiKey = "12345678.abcdefg")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://open.bigmodel.cn/api/paas/v4/chat/completions");
        await signer.SignAsync(new LlmSigningContext("jwt_hs256", request, Array.Empty<byte>(), now, new Dictionary<string, string> { ["apikey"] = apiKey }), CancellationToken.None);
        var value = request.Headers.GetValues("Authorization").Single();
        Assert.That(value, Does.StartWith("Bearer "));
        return value["Bearer ".Length..];
    }

    [Test]
    public async Task Token_IsCached_UntilShortlyBeforeItExpires()
    {
        var signer = new JwtHs256Signer();
        var first = await SignAsync(signer, Now);

        Assert.That(await SignAsync(signer, Now.AddSeconds(179)), Is.EqualTo(first), "reused while it has more than 30 s left");
        Assert.That(await SignAsync(signer, Now.AddSeconds(181)), Is.Not.EqualTo(first), "renewed when 30 s or less are left of its 210 s");
        Assert.That(await SignAsync(signer, Now, "87654321.other"), Is.Not.EqualTo(first), "one token per key");
    }
}
