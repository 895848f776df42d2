using System.Collections.Concurrent;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Reliability;

/// <summary>1,000 concurrent calls over a real loopback server that answers a mix of 200, 429 and 500.</summary>
public class ConcurrencyTests
{
    [Test]
    public async Task ThousandConcurrentCalls_AllEnd_RotationIsFair_NothingDeadlocks()
    {
        await using var server = await LoopbackServer.StartAsync();
        var perKey = new ConcurrentDictionary<string, int>();
        var counter = 0;
        var path = server.Route(async context =>
        {
            var key = context.Request.Headers.Authorization.ToString();
            perKey.AddOrUpdate(key, 1, (_, n) => n + 1);
            var n = Interlocked.Increment(ref counter);
            context.Response.ContentType = "application/json";
            switch (n % 10)
            {
                case 3:
                    context.Response.StatusCode = 429;
                    context.Response.Headers["retry-after-ms"] = "20";
                    await context.Response.WriteAsync("""{"error":{"message":"rate limited"}}""");
                    break;
                case 7:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsync("""{"error":{"message":"boom"}}""");
                    break;
                default:
                    await context.Response.WriteAsync("""{"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""");
                    break;
            }
        }, "/chat/completions");

        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile
        {
            Adapter = "openai",
            BaseUrl = server.BaseUrl + path,
            ApiKeys = ["key-a", "key-b", "key-c", "key-d"],
            Variables = { ["model"] = "m" },
            Retry = { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
        }, new SocketsHttpHandler { MaxConnectionsPerServer = 64 });

        var calls = Enumerable.Range(0, 1000).Select(async _ =>
        {
            try
            {
                var response = await client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" });
                return response.Text == "ok" ? "ok" : "wrong text: " + response.Text;
            }
            catch (LlmException e) when (e is LlmHttpException or LlmRateLimitedException)
            {
                return e.GetType().Name;
            }
        }).ToList();
        var outcomes = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.That(outcomes, Has.Length.EqualTo(1000), "every call ended");
        Assert.That(outcomes.Where(o => o.StartsWith("wrong", StringComparison.Ordinal)), Is.Empty);
        // How many end in answers depends on timing (a key rests 20 ms after its 429; when all four rest, a call fails
        // at once with LlmRateLimitedException, as designed), so the test asserts only that each call ended one of the
        // expected ways.
        var distribution = string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.That(outcomes, Is.All.AnyOf("ok", nameof(LlmHttpException), nameof(LlmRateLimitedException)), distribution);
        Assert.That(outcomes, Has.Some.EqualTo("ok"), distribution);
        Assert.That(perKey.Keys, Is.EquivalentTo(new[] { "Bearer key-a", "Bearer key-b", "Bearer key-c", "Bearer key-d" }));
        // Round-robin among the usable keys: a key resting after its 429 (20 ms here) is skipped meanwhile, so shares
        // vary with timing, but no key is starved.
        var mean = perKey.Values.Average();
        Assert.That(perKey.Values.Min(), Is.GreaterThan(0.25 * mean), $"rotation is fair: {string.Join(", ", perKey.Select(p => $"{p.Key}={p.Value}"))}");
    }
}
