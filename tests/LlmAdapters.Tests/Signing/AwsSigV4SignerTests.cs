using System.Net.Http.Headers;
using System.Text;
using LlmAdapters.Signing;

namespace LlmAdapters.Tests.Signing;

/// <summary>
/// The aws_sigv4 scheme against the AWS SigV4 test suite, as published in awslabs/aws-c-auth
/// tests/aws-signing-test-suite/v4/&lt;case&gt;/ (commit 495329c2433034bd8fd53fc6ba9e0202d3fac876): header-canonical-request.txt,
/// header-string-to-sign.txt, header-signature.txt and header-signed-request.txt, with the suite's context.json
/// (AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service", 2015-08-30T12:36:00Z).
/// </summary>
public class AwsSigV4SignerTests
{
    private const string AccessKeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static Dictionary<string, string> SuiteParameters(bool signBody = false)
    {
        var parameters = new Dictionary<string, string>
        {
            ["region"] = "us-east-1",
            ["service"] = "service",
            ["access_key_id"] = AccessKeyId,
            ["secret_access_key"] = Secret,
        };
        if (signBody)
        {
            parameters["sign_body"] = "true";
        }

        return parameters;
    }

    private static async Task<HttpRequestMessage> SignAsync(HttpRequestMessage request, byte[] body, Dictionary<string, string> parameters)
    {
        await new AwsSigV4Signer().SignAsync(new LlmSigningContext("aws_sigv4", request, body, SuiteTime, parameters), CancellationToken.None);
        return request;
    }

    [TestCase("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", TestName = "get-vanilla")]
    [TestCase("POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", TestName = "post-vanilla")]
    public async Task Vanilla_MatchesTheSuite(string method, string signature)
    {
        var request = await SignAsync(new HttpRequestMessage(new HttpMethod(method), "https://example.amazonaws.com/"), [], SuiteParameters());

        Assert.That(request.Headers.GetValues("X-Amz-Date").Single(), Is.EqualTo("20150830T123600Z"));
        Assert.That(
            request.Headers.GetValues("Authorization").Single(),
            Is.EqualTo($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}"));
    }

    [Test]
    public async Task GetVanillaQuery_MatchesTheSuite()
    {
        // The suite's get-vanilla-query request is "GET /" (its expected files equal get-vanilla's); an empty query adds nothing.
        var request = await SignAsync(new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/?"), [], SuiteParameters());

        Assert.That(request.Headers.GetValues("Authorization").Single(), Does.EndWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    }

    [Test]
    public void GetVanilla_CanonicalRequestAndStringToSign_MatchTheSuite()
    {
        List<KeyValuePair<string, string>> headers = [new("host", "example.amazonaws.com"), new("x-amz-date", "20150830T123600Z")];
        var canonical = AwsSigV4.CanonicalRequest("GET", new Uri("https://example.amazonaws.com/"), headers, AwsSigV4.PayloadHash([]));
        Assert.That(canonical, Is.EqualTo("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

        var scope = AwsSigV4.Scope(SuiteTime, "us-east-1", "service");
        var toSign = AwsSigV4.StringToSign(SuiteTime, scope, canonical);
        Assert.That(toSign, Is.EqualTo("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"));
        Assert.That(AwsSigV4.Signature(Secret, SuiteTime, "us-east-1", "service", toSign), Is.EqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    }

    [Test]
    public async Task PostXWwwFormUrlencoded_SignsTheBody_AndMatchesTheSuite()
    {
        var body = "Param1=value1"u8.ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        await SignAsync(request, body, SuiteParameters(signBody: true));

        Assert.That(request.Headers.GetValues("x-amz-content-sha256").Single(), Is.EqualTo("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"));
        Assert.That(request.Content.Headers.ContentLength, Is.EqualTo(13));
        Assert.That(
            request.Headers.GetValues("Authorization").Single(),
            Is.EqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"));
    }

    [Test]
    public void PostXWwwFormUrlencoded_StringToSign_MatchesTheSuite()
    {
        List<KeyValuePair<string, string>> headers =
        [
            new("content-length", "13"),
            new("content-type", "application/x-www-form-urlencoded"),
            new("host", "example.amazonaws.com"),
            new("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
            new("x-amz-date", "20150830T123600Z"),
        ];
        var canonical = AwsSigV4.CanonicalRequest("POST", new Uri("https://example.amazonaws.com/"), headers, AwsSigV4.PayloadHash("Param1=value1"u8));
        var toSign = AwsSigV4.StringToSign(SuiteTime, AwsSigV4.Scope(SuiteTime, "us-east-1", "service"), canonical);

        Assert.That(toSign, Is.EqualTo("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nb1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb"));
    }

    [Test]
    public async Task SessionToken_IsSentAndSigned()
    {
        var parameters = SuiteParameters();
        parameters["session_token"] = "FwoGZXIvYXdzEXAMPLETOKEN";
        var request = await SignAsync(new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/"), [], parameters);

        Assert.That(request.Headers.GetValues("X-Amz-Security-Token").Single(), Is.EqualTo("FwoGZXIvYXdzEXAMPLETOKEN"));
        Assert.That(request.Headers.GetValues("Authorization").Single(), Does.Contain("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
    }

    [Test]
    public async Task SigningTwice_ReplacesTheEarlierSignature()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        await SignAsync(request, [], SuiteParameters());
        await SignAsync(request, [], SuiteParameters());

        Assert.That(request.Headers.GetValues("Authorization").Count(), Is.EqualTo(1));
        Assert.That(request.Headers.GetValues("X-Amz-Date").Count(), Is.EqualTo(1));
        Assert.That(request.Headers.GetValues("Authorization").Single(), Does.EndWith("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    }

    [Test]
    public void CanonicalUri_EscapesTheEscapedPathAgain()
    {
        // Bedrock model ids hold ':' (anthropic.claude-3-haiku-20240307-v1:0): sent as %3A, signed as %253A (every service but S3).
        var canonical = AwsSigV4.CanonicalRequest("POST", new Uri("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"), [new("host", "h")], "x");

        Assert.That(canonical.Split('\n')[1], Is.EqualTo("/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse"));
    }

    [Test]
    public void CanonicalQuery_IsSortedAndEscaped()
    {
        var canonical = AwsSigV4.CanonicalRequest("GET", new Uri("https://example.amazonaws.com/?b=2&a=x%20y&a=1"), [new("host", "h")], "x");

        Assert.That(canonical.Split('\n')[2], Is.EqualTo("a=1&a=x%20y&b=2"));
    }

    [Test]
    public void MissingSecret_IsAnErrorNamingTheParameter()
    {
        var parameters = SuiteParameters();
        parameters.Remove("secret_access_key");

        var e = Assert.ThrowsAsync<LlmRequestException>(() => SignAsync(new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/"), [], parameters));
        Assert.That(e!.Message, Does.Contain("'secret_access_key'"));
    }

    [Test]
    public void Context_ToString_HoldsNoParameterValue()
    {
        var context = new LlmSigningContext("aws_sigv4", new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/x?k=1"), Encoding.UTF8.GetBytes("{}"), SuiteTime, SuiteParameters());

        Assert.That(context.ToString(), Is.EqualTo("aws_sigv4: GET https://example.amazonaws.com"));
        Assert.That(new AwsSigV4Signer().ToString(), Does.Not.Contain(Secret));
    }
}
