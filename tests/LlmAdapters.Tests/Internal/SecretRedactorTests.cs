using System.Net;
using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Internal;

public class SecretRedactorTests
{
    private const string Key = "sk-a+b/c=d\"e-0123456789";

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [TestCase("")]
    [TestCase("u:")]
    [TestCase("us:")]
    [TestCase("user:")]
    [TestCase("Basic x:")]
    public void Base64OfATextHoldingTheSecret_IsMasked_AtEveryAlignment(string prefix)
    {
        var redactor = new SecretRedactor([Key]);
        foreach (var suffix in new[] { "", "!", "!!", ":tail" })
        {
            var encoded = B64(prefix + Key + suffix);
            var urlSafe = encoded.Replace('+', '-').Replace('/', '_').TrimEnd('=');
            Assert.That(redactor.Redact($"echo {encoded} and {urlSafe}"), Does.Not.Contain(encoded).And.Not.Contain(urlSafe).And.Contain(SecretRedactor.Mask));
        }
    }

    [Test]
    public void UrlEncodedAndJsonEscapedForms_AreMasked()
    {
        var redactor = new SecretRedactor([Key]);
        var url = "https://vendor.test/x?key=" + Uri.EscapeDataString(Key);
        var json = JsonSerializer.Serialize(new { key = Key });
        Assert.That(redactor.Redact(url), Does.Not.Contain(Uri.EscapeDataString(Key)).And.EndWith("key=***"));
        Assert.That(redactor.Redact(json), Is.EqualTo("""{"key":"***"}"""));
    }

    [Test]
    public void ShortSecrets_GetNoBase64Forms()
    {
        // "abcd" encodes to "YWJjZA==": four-letter runs like "YWJj" are too common in ordinary text to mask.
        var redactor = new SecretRedactor(["abcd"]);
        Assert.That(redactor.Redact("YWJjZA== abcd"), Is.EqualTo("YWJjZA== ***"));
    }

    [Test]
    public void With_AddsTheCallsSecrets_AndLeavesTheProfilesRedactorAlone()
    {
        var profile = new SecretRedactor(["sk-profile-1"]);
        var call = profile.With(["sk-request-2"]);
        Assert.That(call.Redact("sk-profile-1 sk-request-2"), Is.EqualTo("*** ***"));
        Assert.That(profile.Redact("sk-request-2"), Is.EqualTo("sk-request-2"));
        Assert.That(profile.With(["sk-profile-1", "ab"]), Is.SameAs(profile));
    }

    [Test]
    public async Task WhatAConverterMadeOfTheKey_IsMaskedInTheCallsErrors()
    {
        // A converter the library knows nothing about (the key reversed): its output is registered with the call.
        var catalog = new LlmCatalogBuilder()
            .AddConverter(LlmConverter.Create("reverse", v => JsonDocument.Parse(JsonSerializer.Serialize(new string(v.GetString()!.Reverse().ToArray()))).RootElement.Clone()))
            .AddJson("""
                { "name": "rev", "chat": { "path": "/x", "method": "POST", "apitype": "sync",
                  "headers": [ { "name": "x-api-key", "value": "${apikey}", "converter": "reverse" } ], "resp": [ { "name": "content", "value": "text" } ] } }
                """)
            .Build();
        const string secret = "sk-converted-31415926";
        var reversed = new string(secret.Reverse().ToArray());
        using var handler = new LambdaHandler((r, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Unauthorized)
        {
            ReasonPhrase = "bad " + r.Headers.GetValues("x-api-key").Single(),
            Content = new StringContent("key " + r.Headers.GetValues("x-api-key").Single()),
        }));
        var client = catalog.CreateClient(new LlmProfile { Adapter = "rev", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = secret }, Retry = { MaxRetries = 0 } }, handler);

        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Prompt = "p" }));

        Assert.That(e!.Message, Does.Contain("bad ***"));
        Assert.That(e.ToString() + e.ResponseExcerpt, Does.Not.Contain(reversed));
    }
}
