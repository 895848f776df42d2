using System.Text.Json;
using LlmAdapters.Definitions;

namespace LlmAdapters.Tests.Definitions;

/// <summary>The quick checks only say yes where <see cref="Uri"/> says the same; everything else is left to Uri.</summary>
public class UrlSyntaxTests
{
    private static bool UriAcceptsBaseUrl(string text)
        => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    [TestCase("https://api.deepseek.com")]
    [TestCase("https://api.deepseek.com/")]
    [TestCase("https://api.groq.com/openai/v1")]
    [TestCase("http://localhost:11434")]
    [TestCase("http://localhost:8080/v1")]
    [TestCase("https://a-b.example:65535/x_y/~z/a.b")]
    [TestCase("https://1password.example/v1")]
    [TestCase("https://a/b/../c")]
    public void PlainUrls_AreAccepted_AsUriAcceptsThem(string url)
    {
        Assert.That(UrlSyntax.IsPlainHttpUrl(url), Is.True);
        Assert.That(UriAcceptsBaseUrl(url), Is.True);
    }

    [TestCase("HTTPS://api.example.com")]
    [TestCase("ftp://api.example.com")]
    [TestCase("https://")]
    [TestCase("https:///v1")]
    [TestCase("https://1.2.3.4/v1")]
    [TestCase("https://[::1]:8080")]
    [TestCase("https://a..b")]
    [TestCase("https://-a.example")]
    [TestCase("https://a-.example")]
    [TestCase("https://a.example:")]
    [TestCase("https://a.example:0")]
    [TestCase("https://a.example:080")]
    [TestCase("https://a.example:65536")]
    [TestCase("https://a.example:123456")]
    [TestCase("https://a.example:8x")]
    [TestCase("https://user@a.example")]
    [TestCase("https://a.example/v1?x=1")]
    [TestCase("https://a.example/v1#x")]
    [TestCase("https://a.example/v%201")]
    [TestCase("https://a.example/v 1")]
    [TestCase(" https://a.example")]
    [TestCase("https://a.example\\v1")]
    [TestCase("https://b\u00fccher.example")]
    [TestCase("https://a_b.example")]
    public void AnythingElse_IsLeftToUri(string url)
    {
        Assert.That(UrlSyntax.IsPlainHttpUrl(url), Is.False);
        Assert.That(UrlSyntax.IsHttpBaseUrl(url), Is.EqualTo(UriAcceptsBaseUrl(url)), "the verdict is Uri's");
    }

    [Test]
    public void VeryLongUrls_AreLeftToUri()
    {
        var url = "https://a.example/" + new string('a', 70_000);
        Assert.That(UrlSyntax.IsPlainHttpUrl(url), Is.False);
        Assert.That(UrlSyntax.IsHttpBaseUrl(url), Is.EqualTo(UriAcceptsBaseUrl(url)));
        Assert.That(UrlSyntax.IsPlainHttpUrl("https://a.example/" + new string('a', 1000)), Is.True);
    }

    [Test]
    public void EveryShippedPresetUrl_IsPlain()
    {
        using var presets = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "adapters", "presets.json")), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var urls = presets.RootElement.GetProperty("presets").EnumerateObject()
            .Where(p => p.Value.TryGetProperty("base_url", out _)).Select(p => p.Value.GetProperty("base_url").GetString()!).ToList();
        Assert.That(urls, Is.Not.Empty);
        Assert.That(urls.Where(u => !UrlSyntax.IsPlainHttpUrl(u)), Is.Empty, "a shipped base URL that makes a cold load initialise System.Uri");
        Assert.That(urls.Where(u => !UriAcceptsBaseUrl(u)), Is.Empty);
    }

    [Test]
    public void EveryShippedUrlHost_IsPlain()
    {
        var hosts = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "adapters"), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            foreach (var call in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("url_hosts", out _)))
            {
                hosts.AddRange(call.Value.GetProperty("url_hosts").EnumerateArray().Select(h => h.GetString()!));
            }
        }

        Assert.That(hosts, Is.Not.Empty);
        Assert.That(hosts.Where(h => !UrlSyntax.IsPlainHostName(h.StartsWith("*.", StringComparison.Ordinal) ? h[2..] : h)), Is.Empty, "a shipped url_hosts entry that makes a cold load initialise System.Uri");
    }

    [TestCase("api.replicate.com")]
    [TestCase("replicate.delivery")]
    [TestCase("localhost")]
    [TestCase("a-b.c1.example")]
    [TestCase("1.2.example")]
    public void PlainHostNames_AreDnsNames_ForUri(string host)
    {
        Assert.That(UrlSyntax.IsPlainHostName(host), Is.True);
        Assert.That(Uri.CheckHostName(host), Is.EqualTo(UriHostNameType.Dns));
    }

    [TestCase("")]
    [TestCase("1.2.3.4")]
    [TestCase("1.2.3")]
    [TestCase("::1")]
    [TestCase("a..b")]
    [TestCase(".a")]
    [TestCase("a.")]
    [TestCase("-a.b")]
    [TestCase("a-.b")]
    [TestCase("a_b.c")]
    [TestCase("a.b:80")]
    [TestCase("a/b")]
    [TestCase("b\u00fccher.example")]
    [TestCase("*.a.b")]
    public void OtherHostNames_AreLeftToUri(string host)
    {
        Assert.That(UrlSyntax.IsPlainHostName(host), Is.False);
        if (host.Length > 0)
        {
            Assert.That(UrlSyntax.IsHostName(host), Is.EqualTo(Uri.CheckHostName(host) != UriHostNameType.Unknown), "the verdict is Uri's");
        }
    }

    [Test]
    public void LongLabelsAndNames_AreLeftToUri()
    {
        Assert.That(UrlSyntax.IsPlainHostName(new string('a', 63) + ".com"), Is.True);
        Assert.That(UrlSyntax.IsPlainHostName(new string('a', 64) + ".com"), Is.False);
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 50), 5)); // 254 characters
        Assert.That(UrlSyntax.IsPlainHostName(longName), Is.False);
    }
}
