using System.Net;
using System.Text;
using LlmAdapters.Signing;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LlmAdapters.Tests.Execution;

/// <summary>Signing as a call runs it: over the exact bytes sent, again on every retry and redirect, schemes registered by name, secrets masked.</summary>
public class RequestSigningTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private const string SignedAdapter = """
        {
          "name": "signed",
          "chat": {
            "path": "/model/${model}/converse",
            "method": "POST",
            "apitype": "sync",
            "sign": { "scheme": "aws_sigv4", "params": [
              { "name": "region", "value": "${region}" },
              { "name": "service", "value": "bedrock" },
              { "name": "access_key_id", "value": "${aws_access_key_id}" },
              { "name": "secret_access_key", "value": "${aws_secret_access_key}" }
            ] },
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "text" } ],
            "error": { "message": "message" }
          },
          "plain": {
            "path": "/plain",
            "method": "POST",
            "apitype": "sync",
            "sign": "custom",
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "content", "value": "text" } ]
          }
        }
        """;

    private static LlmProfile Profile() => new()
    {
        Adapter = "signed",
        BaseUrl = "https://bedrock-runtime.us-east-1.amazonaws.com",
        Variables = new(StringComparer.Ordinal)
        {
            ["model"] = "anthropic.claude-3-haiku-20240307-v1:0",
            ["region"] = "us-east-1",
            ["aws_access_key_id"] = "AKIDEXAMPLE",
            ["aws_secret_access_key"] = Secret,
        },
        Retry = new LlmRetryOptions { BaseDelay = TimeSpan.Zero, UseJitter = false },
    };

    private sealed record Sent(string Method, Uri Uri, Dictionary<string, string> Headers, byte[] Body);

    private static async Task<Sent> CaptureAsync(HttpRequestMessage request)
    {
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync();
        if (request.Content is not null)
        {
            headers["content-type"] = request.Content.Headers.ContentType!.ToString();
            headers["content-length"] = request.Content.Headers.ContentLength!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new Sent(request.Method.Method, request.RequestUri!, headers, body);
    }

    /// <summary>What a SigV4 verifier does: recompute the signature from what arrived (bytes, URL, signed headers) with the secret.</summary>
    private static string ExpectedAuthorization(Sent sent)
    {
        var signedNames = sent.Headers["authorization"].Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var headers = signedNames.Select(n => new KeyValuePair<string, string>(n, n == "host" ? sent.Uri.Authority : sent.Headers[n])).ToList();
        var time = DateTimeOffset.ParseExact(sent.Headers["x-amz-date"], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var canonical = AwsSigV4.CanonicalRequest(sent.Method, sent.Uri, headers, AwsSigV4.PayloadHash(sent.Body));
        var scope = AwsSigV4.Scope(time, "us-east-1", "bedrock");
        return AwsSigV4.Authorization("AKIDEXAMPLE", scope, string.Join(';', signedNames), AwsSigV4.Signature(Secret, time, "us-east-1", "bedrock", AwsSigV4.StringToSign(time, scope, canonical)));
    }

    [Test]
    public async Task AwsSigV4_SignsTheExactBytesSent()
    {
        var sent = new List<Sent>();
        var time = new ManualTimeProvider();
        var handler = new LambdaHandler(async (r, _) =>
        {
            sent.Add(await CaptureAsync(r));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"text":"ok"}""", Encoding.UTF8, "application/json") };
        });
        var client = new LlmCatalogBuilder().AddJson(SignedAdapter).AddSigner(new CustomSigner()).Build().CreateClient(Profile(), handler, time);

        var response = await client.CallAsync(new LlmRequest { Prompt = "héllo ✓" });

        Assert.That(response.Text, Is.EqualTo("ok"));
        var request = sent.Single();
        Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"));
        Assert.That(request.Headers["x-amz-date"], Is.EqualTo("20260101T000000Z"));
        Assert.That(request.Headers["authorization"], Does.Contain("SignedHeaders=content-length;content-type;host;x-amz-date,"));
        Assert.That(request.Headers["authorization"], Is.EqualTo(ExpectedAuthorization(request)));
    }

    [Test]
    public async Task AwsSigV4_IsRecomputedOnEveryRetry()
    {
        var sent = new List<Sent>();
        var time = new ManualTimeProvider();
        var handler = new LambdaHandler(async (r, _) =>
        {
            sent.Add(await CaptureAsync(r));
            if (sent.Count == 1)
            {
                time.Advance(TimeSpan.FromSeconds(2)); // the retry is sent later, so its date (and signature) differ
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("""{"message":"busy"}""", Encoding.UTF8, "application/json") };
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"text":"ok"}""", Encoding.UTF8, "application/json") };
        });
        var client = new LlmCatalogBuilder().AddJson(SignedAdapter).AddSigner(new CustomSigner()).Build().CreateClient(Profile(), handler, time);

        var response = await client.CallAsync(new LlmRequest { Prompt = "p" });

        Assert.That(response.Text, Is.EqualTo("ok"));
        Assert.That(sent, Has.Count.EqualTo(2));
        Assert.That(sent[0].Headers["x-amz-date"], Is.EqualTo("20260101T000000Z"));
        Assert.That(sent[1].Headers["x-amz-date"], Is.EqualTo("20260101T000002Z"));
        Assert.That(sent[1].Headers["authorization"], Is.Not.EqualTo(sent[0].Headers["authorization"]));
        Assert.That(sent.Select(ExpectedAuthorization), Is.EqualTo(sent.Select(s => s.Headers["authorization"])));
    }

    [Test]
    public async Task Redirect_WithinTheOrigin_IsSignedForItsOwnUrl()
    {
        var sent = new List<Sent>();
        var handler = new LambdaHandler(async (r, _) =>
        {
            sent.Add(await CaptureAsync(r));
            if (sent.Count == 1)
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                redirect.Headers.Location = new Uri("/model/other/converse", UriKind.Relative);
                return redirect;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"text":"ok"}""", Encoding.UTF8, "application/json") };
        });
        var client = new LlmCatalogBuilder().AddJson(SignedAdapter).AddSigner(new CustomSigner()).Build().CreateClient(Profile(), handler, new ManualTimeProvider());

        await client.CallAsync(new LlmRequest { Prompt = "p" });

        Assert.That(sent, Has.Count.EqualTo(2));
        Assert.That(sent[1].Uri.AbsolutePath, Is.EqualTo("/model/other/converse"));
        Assert.That(sent[1].Headers["authorization"], Is.EqualTo(ExpectedAuthorization(sent[1])));
        Assert.That(sent[1].Headers["authorization"], Is.Not.EqualTo(sent[0].Headers["authorization"]));
    }

    private sealed class CustomSigner : ILlmRequestSigner
    {
        public string Name => "custom";

        public IReadOnlyCollection<string> Parameters { get; } = ["apikey"];

        public ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken)
        {
            var mac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(context.GetRequiredParameter("apikey")), context.Body.Span);
            context.Request.Headers.Remove("X-Signature");
            context.Request.Headers.TryAddWithoutValidation("X-Signature", Convert.ToHexString(mac));
            return ValueTask.CompletedTask;
        }
    }

    [Test]
    public async Task CustomScheme_RegisteredThroughDependencyInjection_SignsTheBody()
    {
        var sent = new List<Sent>();
        var services = new ServiceCollection();
        services.AddLlmAdapters()
            .AddSigner(new CustomSigner())
            .AddProfile("p", p =>
            {
                p.Adapter = "signed";
                p.BaseUrl = "https://vendor.test";
                p.Variables["apikey"] = "k-123456789";
            })
            .AddHttpClient("p")
            .ConfigurePrimaryHttpMessageHandler(() => new LambdaHandler(async (r, _) =>
            {
                sent.Add(await CaptureAsync(r));
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"text":"ok"}""", Encoding.UTF8, "application/json") };
            }));
        var folder = Path.Combine(Path.GetTempPath(), "llm-sign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "signed.json"), SignedAdapter);
        services.Configure<LlmAdaptersOptions>(o => o.AdapterPaths.Add(folder));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<ILlmClientFactory>().CreateClient("p").CallAsync(new LlmRequest { Call = "plain", Prompt = "p" });

        var expected = Convert.ToHexString(System.Security.Cryptography.HMACSHA256.HashData("k-123456789"u8, sent.Single().Body));
        Assert.That(sent.Single().Headers["x-signature"], Is.EqualTo(expected));
    }

    [Test]
    public void UnknownScheme_IsADefinitionError_WithTheKnownSchemes()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "chat": { "path": "/c", "method": "POST", "apitype": "sync", "sign": "aws_sigv5", "data": [] } }
            """, "x.json"));

        Assert.That(e!.Message, Does.Contain("x.json, line 1"));
        Assert.That(e.Message, Does.Contain("signing scheme 'aws_sigv5' is unknown"));
        Assert.That(e.Message, Does.Contain("aws_sigv4"));
        Assert.That(e.Problems.Single().JsonPath, Is.EqualTo("$.chat.sign"));
    }

    [Test]
    public void UnknownKeyInSign_IsADefinitionError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "chat": { "path": "/c", "method": "POST", "apitype": "sync", "data": [],
              "sign": { "scheme": "aws_sigv4", "region": "us-east-1" } } }
            """, "x.json"));

        Assert.That(e!.Message, Does.Contain("x.json, line 2, $.chat.sign.region: unknown key \"region\" in \"sign\""));
    }

    [Test]
    public void UnknownParameter_IsADefinitionError_WithTheSchemesParameters()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "chat": { "path": "/c", "method": "POST", "apitype": "sync", "data": [],
              "sign": { "scheme": "aws_sigv4", "params": [ { "name": "regoin", "value": "us-east-1" } ] } } }
            """, "x.json"));

        Assert.That(e!.Message, Does.Contain("signing scheme 'aws_sigv4' has no parameter 'regoin'; did you mean 'region'?"));
        Assert.That(e.Message, Does.Contain("secret_access_key"));
    }

    [Test]
    public void ParameterNotGiven_TakesTheVariableOfItsName()
    {
        var catalog = LlmCatalog.FromJson("""
            { "name": "z", "chat": { "path": "/c", "method": "POST", "apitype": "sync", "sign": "jwt_hs256", "data": [ { "name": "p", "value": "${prompt}" } ] } }
            """);

        Assert.That(catalog.Describe("z").Single().Variables, Does.Contain("apikey"));
        Assert.That(catalog.Describe("z").Single().RequiredVariables, Does.Not.Contain("apikey"));
    }

    private sealed class LeakySigner : ILlmRequestSigner
    {
        public string Name => "custom";

        public IReadOnlyCollection<string> Parameters { get; } = ["secret_access_key"];

        public ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken)
            => throw new InvalidOperationException($"bad secret {context.GetParameter("secret_access_key")} / {Convert.ToBase64String(Encoding.UTF8.GetBytes(context.GetParameter("secret_access_key")!))}");
    }

    [Test]
    public async Task SecretKey_AppearsInNoExceptionLogOrToString()
    {
        var logs = new CapturingLoggerProvider();
        var needles = new[] { Secret, Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)), Uri.EscapeDataString(Secret) };
        var failures = new List<Exception>();
        var echo = new LambdaHandler(async (r, _) =>
        {
            // A hostile vendor echoes every header and the body in its error.
            var sent = await CaptureAsync(r);
            var text = string.Join(" ", sent.Headers.Select(h => $"{h.Key}={h.Value}")).Replace("\"", "'", StringComparison.Ordinal);
            return new HttpResponseMessage(HttpStatusCode.Forbidden) { ReasonPhrase = "Denied", Content = new StringContent($$"""{"message":"{{text}}"}""", Encoding.UTF8, "application/json") };
        });

        var profile = Profile();
        var catalog = new LlmCatalogBuilder().AddJson(SignedAdapter).AddSigner(new CustomSigner()).Build();
        using var http = new HttpClient(echo);
        var client = catalog.CreateClient(profile, http, new ManualTimeProvider(), logs);
        failures.Add(Assert.CatchAsync(() => client.CallAsync(new LlmRequest { Prompt = "p" }))!);

        // The secret as a per-request variable, not known to the profile.
        var noSecret = Profile();
        noSecret.Variables.Remove("aws_secret_access_key");
        var perRequest = catalog.CreateClient(noSecret, http, new ManualTimeProvider(), logs);
        failures.Add(Assert.CatchAsync(() => perRequest.CallAsync(new LlmRequest { Prompt = "p", Variables = new Dictionary<string, object?> { ["aws_secret_access_key"] = Secret } }))!);

        // A signer that puts the secret in its own exception.
        var leaky = new LlmCatalogBuilder().AddJson(SignedAdapter).AddSigner(new LeakySigner()).Build();
        var leakyProfile = Profile();
        leakyProfile.Variables["secret_access_key"] = Secret;
        failures.Add(Assert.CatchAsync(() => leaky.CreateClient(leakyProfile, http, new ManualTimeProvider(), logs).CallAsync(new LlmRequest { Call = "plain", Prompt = "p" }))!);

        Assert.That(failures[2], Is.TypeOf<LlmRequestException>());
        Assert.That(failures[2].InnerException, Is.Null);
        Assert.That(failures[2].Message, Does.Contain("could not sign the request (InvalidOperationException)"));
        var texts = failures.SelectMany(Texts).Concat(logs.Texts).Append(profile.ToString() ?? string.Empty).ToList();
        Assert.That(texts.Count(t => t.Length > 0), Is.GreaterThan(3));
        foreach (var needle in needles)
        {
            Assert.That(texts.Where(t => t.Contains(needle, StringComparison.Ordinal)), Is.Empty, $"the secret (as {needle[..6]}...) leaked");
        }
    }

    [Test]
    public void JwtToken_EchoedByTheVendor_IsMaskedLikeTheKey()
    {
        const string ApiKey = "fakeid0123456789.fakeSecretAbcdef";
        string? token = null;
        var echo = new LambdaHandler((r, _) =>
        {
            token = r.Headers.Authorization!.Parameter;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Unauthorized)
            {
                ReasonPhrase = "Bad " + token,
                Content = new StringContent($$$"""{"error":{"code":"1001","message":"bad token {{{token}}}"}}""", Encoding.UTF8, "application/json"),
            });
        });
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "zhipu", BaseUrl = "https://open.bigmodel.cn/api/paas/v4", Variables = { ["apikey"] = ApiKey, ["model"] = "glm-4-flash" } }, echo, new ManualTimeProvider());

        var e = Assert.CatchAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" }))!;

        Assert.That(token, Does.StartWith("eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ."), "the key is sent as a JWT");
        Assert.That(e.VendorCode, Is.EqualTo("1001"));
        foreach (var text in Texts(e))
        {
            Assert.That(text, Does.Not.Contain(token!).And.Not.Contain(ApiKey).And.Not.Contain("fakeSecretAbcdef"));
        }

        Assert.That(e.VendorMessage, Is.EqualTo("bad token ***"));
    }

    private static IEnumerable<string> Texts(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            yield return e.ToString();
            if (e is LlmVendorException vendor)
            {
                yield return vendor.VendorMessage ?? string.Empty;
                yield return vendor.VendorCode ?? string.Empty;
            }

            if (e is LlmHttpException http)
            {
                yield return http.ResponseExcerpt ?? string.Empty;
            }
        }
    }
}
