using System.Net;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Reliability;

public class KeyRotationTests
{
    private const string Ok = """{"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}]}""";

    /// <summary>A vendor that answers each key as the test says, and counts requests per key.</summary>
    private sealed class KeyedVendor(Func<string, HttpStatusCode> statusFor)
    {
        public Dictionary<string, int> Requests { get; } = [];

        public LambdaHandler AsHandler() => new((request, _) =>
        {
            var key = request.Headers.Authorization!.Parameter!;
            lock (Requests)
            {
                Requests[key] = Requests.GetValueOrDefault(key) + 1;
            }

            var status = statusFor(key);
            var response = new HttpResponseMessage(status) { Content = new StringContent(status == HttpStatusCode.OK ? Ok : """{"error":{"message":"nope"}}""") };
            if (status == HttpStatusCode.TooManyRequests)
            {
                response.Headers.Add("Retry-After", "30");
            }

            return Task.FromResult(response);
        });
    }

    private static (ILlmClient Client, ManualTimeProvider Time) Client(HttpMessageHandler handler, params string[] keys)
    {
        var time = new ManualTimeProvider();
        var profile = new LlmProfile
        {
            Adapter = "openai",
            BaseUrl = "https://api.test/v1",
            Timeout = Timeout.InfiniteTimeSpan,
            ApiKeys = [.. keys],
            Variables = { ["model"] = "m" },
            Retry = { UseJitter = false },
        };
        return (LlmCatalog.BuiltIn.CreateClient(profile, handler, time), time);
    }

    private static LlmRequest Sync => new() { Call = "chat_sync", Prompt = "hi" };

    [Test]
    public async Task Keys_AreUsedRoundRobin()
    {
        var vendor = new KeyedVendor(_ => HttpStatusCode.OK);
        using var handler = vendor.AsHandler();
        var (client, _) = Client(handler, "k-a", "k-b", "k-c");
        for (var i = 0; i < 9; i++)
        {
            await client.CallAsync(Sync);
        }

        Assert.That(vendor.Requests, Is.EquivalentTo(new Dictionary<string, int> { ["k-a"] = 3, ["k-b"] = 3, ["k-c"] = 3 }));
    }

    [Test]
    public async Task RejectedKey_LeavesTheRotation_AndTheRetryGoesToAnotherKeyAtOnce()
    {
        var vendor = new KeyedVendor(key => key == "k-bad" ? HttpStatusCode.Unauthorized : HttpStatusCode.OK);
        using var handler = vendor.AsHandler();
        var (client, time) = Client(handler, "k-bad", "k-good");
        var (first, waits) = await PollDriver.DriveAsync(time, () => client.CallAsync(Sync));
        Assert.That(first.Text, Is.EqualTo("ok"));
        Assert.That(waits, Is.Empty, "no backoff: another key was ready");
        for (var i = 0; i < 4; i++)
        {
            await client.CallAsync(Sync);
        }

        Assert.That(vendor.Requests, Is.EquivalentTo(new Dictionary<string, int> { ["k-bad"] = 1, ["k-good"] = 5 }));
    }

    [Test]
    public async Task RateLimitedKey_Rests_ForTheTimeTheVendorAsked()
    {
        var limited = true;
        var vendor = new KeyedVendor(key => key == "k-1" && limited ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
        using var handler = vendor.AsHandler();
        var (client, time) = Client(handler, "k-1", "k-2");
        await client.CallAsync(Sync); // k-1 → 429, retried at once on k-2
        await client.CallAsync(Sync); // k-1 rests: k-2
        Assert.That(vendor.Requests, Is.EquivalentTo(new Dictionary<string, int> { ["k-1"] = 1, ["k-2"] = 2 }));

        limited = false;
        time.Advance(TimeSpan.FromSeconds(31));
        await client.CallAsync(Sync);
        await client.CallAsync(Sync);
        Assert.That(vendor.Requests["k-1"], Is.EqualTo(2), "after its rest, k-1 is back in the rotation");
    }

    [Test]
    public void EveryKeyResting_IsAClearErrorSayingWhen()
    {
        var vendor = new KeyedVendor(_ => HttpStatusCode.TooManyRequests);
        using var handler = vendor.AsHandler();
        var (client, _) = Client(handler, "k-1", "k-2");
        var e = Assert.ThrowsAsync<LlmRateLimitedException>(() => client.CallAsync(Sync))!;
        Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(e.Message, Does.Contain("Every API key of profile").And.Contain("usable again in 30 s"));
        Assert.That(e.Message, Does.Not.Contain("k-1").And.Not.Contain("k-2"));
        Assert.That(vendor.Requests.Values.Sum(), Is.EqualTo(2));
    }

    [Test]
    public void EveryKeyRejected_SaysSo_WithFingerprintsOnly()
    {
        var vendor = new KeyedVendor(_ => HttpStatusCode.Forbidden);
        using var handler = vendor.AsHandler();
        var (client, _) = Client(handler, "sk-secret-one", "sk-secret-two");
        var http = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(Sync))!;
        Assert.That(http.KeyFingerprint, Does.Match("^key#[0-9a-f]{8}$"));
        var e = Assert.ThrowsAsync<LlmRateLimitedException>(() => client.CallAsync(Sync))!;
        Assert.That(e.RetryAfter, Is.Null);
        Assert.That(e.Message, Does.Contain("rejected by the vendor (401/403)").And.Contain("key#"));
        Assert.That(e.Message + http.Message, Does.Not.Contain("sk-secret"));
    }

    [Test]
    public async Task CredentialSets_RotateWholeSets()
    {
        var seen = new List<string>();
        using var handler = new LambdaHandler((request, _) =>
        {
            lock (seen)
            {
                seen.Add(request.Headers.Authorization!.Parameter + "@" + request.RequestUri!.Query);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"base_resp":{"status_code":0},"choices":[{"message":{"content":"x"}}]}""") });
        });
        var client = LlmCatalog.FromJson("""
            { "name": "g", "chat": { "path": "/c", "headers": [ { "name": "Authorization", "value": "Bearer ${apikey}" } ], "params": [ { "name": "GroupId", "value": "${groupid}" } ],
              "resp": [ { "name": "content", "value": "choices[0].message.content" } ] } }
            """).CreateClient(new LlmProfile
        {
            Adapter = "g",
            BaseUrl = "https://h",
            Credentials = [new() { ["apikey"] = "a-key", ["groupid"] = "1" }, new() { ["apikey"] = "b-key", ["groupid"] = "2" }],
        }, handler);
        await client.CallAsync(new LlmRequest { Call = "chat" });
        await client.CallAsync(new LlmRequest { Call = "chat" });
        Assert.That(seen, Is.EqualTo(new[] { "a-key@?GroupId=1", "b-key@?GroupId=2" }));
    }
}
