using System.ClientModel;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Three gateway instances on loopback sharing one Redis, as behind a load balancer: keys, their health and rests, and the counters are shared.</summary>
[NonParallelizable]
public sealed class MultiInstanceTests
{
    private RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedis() => _redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public void StopRedis() => _redis.Dispose();

    [Test]
    public async Task KeyRejectedThroughOne_IsSkippedByAll_AndEveryStatusPageShowsTheTotalsOfAll()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-bad", KeyBehaviour.Reject), ("sk-good", KeyBehaviour.Answer));
        var (a, b, c) = await StartThreeAsync(TestGateway.Profile("p", upstream, "sk-bad", "sk-good"));
        await using var _ = a;
        await using var __ = b;
        await using var ___ = c;

        await a.Chat("p").CompleteChatAsync([new UserChatMessage("a")]);   // a's first pick is sk-bad: rejected, then sk-good answers
        for (var i = 0; i < 3; i++)
        {
            await b.Chat("p").CompleteChatAsync([new UserChatMessage("b")]);
            await c.Chat("p").CompleteChatAsync([new UserChatMessage("c")]);
        }

        var totals = new List<long>();
        var states = new List<string>();
        foreach (var gateway in new[] { a, b, c })
        {
            using var stats = JsonDocument.Parse(await gateway.Http().GetStringAsync("stats"));
            totals.Add(stats.RootElement.GetProperty("totals").GetProperty("requests").GetInt64());
            states.Add(string.Join(",", stats.RootElement.GetProperty("profiles")[0].GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("state").GetString())));
            Assert.That(stats.RootElement.GetProperty("store").GetString(), Is.EqualTo("redis"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(upstream.ChatRequestsWith("sk-bad"), Is.EqualTo(1), "b and c never tried the key a found rejected");
            Assert.That(upstream.ChatRequestsWith("sk-good"), Is.EqualTo(7));
            Assert.That(totals, Is.EqualTo(new long[] { 7, 7, 7 }), "every instance's page shows all 7 requests");
            Assert.That(states, Has.All.EqualTo("rejected,healthy"));
        });
    }

    [Test]
    public async Task KeyRestedAfter429OnOne_RestsOnAll()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-limited", KeyBehaviour.RateLimit), ("sk-ok", KeyBehaviour.Answer));
        upstream.RetryAfterSeconds = 600;
        var (a, b, c) = await StartThreeAsync(TestGateway.Profile("p", upstream, "sk-limited", "sk-ok"));
        await using var _ = a;
        await using var __ = b;
        await using var ___ = c;

        await a.Chat("p").CompleteChatAsync([new UserChatMessage("a")]);
        for (var i = 0; i < 3; i++)
        {
            await b.Chat("p").CompleteChatAsync([new UserChatMessage("b")]);
            await c.Chat("p").CompleteChatAsync([new UserChatMessage("c")]);
        }

        using var stats = JsonDocument.Parse(await c.Http().GetStringAsync("stats"));
        var limited = stats.RootElement.GetProperty("profiles")[0].GetProperty("keys")[0];
        Assert.Multiple(() =>
        {
            Assert.That(upstream.ChatRequestsWith("sk-limited"), Is.EqualTo(1), "the key rests on b and c too");
            Assert.That(limited.GetProperty("state").GetString(), Is.EqualTo("resting"));
            Assert.That(limited.GetProperty("failures").GetInt64(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task KeyAddedThroughOne_IsUsedByAll()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-revoked", KeyBehaviour.Reject), ("sk-fresh-key-777", KeyBehaviour.Answer));
        var (a, b, c) = await StartThreeAsync(TestGateway.Profile("p", upstream, "sk-revoked"));
        await using var _ = a;
        await using var __ = b;
        await using var ___ = c;

        var before = Assert.ThrowsAsync<ClientResultException>(() => b.Chat("p").CompleteChatAsync([new UserChatMessage("before")]));
        using var added = await a.Http(TestGateway.AdminKey).PostAsync("keys", TestGateway.Json("""{"profile":"p","key":"sk-fresh-key-777"}"""));
        ChatCompletion onB = await b.Chat("p").CompleteChatAsync([new UserChatMessage("b")]);
        ChatCompletion onC = await c.Chat("p").CompleteChatAsync([new UserChatMessage("c")]);
        using var list = JsonDocument.Parse(await c.Http(TestGateway.AdminKey).GetStringAsync("keys"));

        Assert.Multiple(() =>
        {
            Assert.That(before!.Status, Is.EqualTo(503));
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(onB.Content[0].Text, Is.EqualTo(upstream.AnswerTo("b")));
            Assert.That(onC.Content[0].Text, Is.EqualTo(upstream.AnswerTo("c")));
            Assert.That(upstream.ChatRequestsWith("sk-fresh-key-777"), Is.EqualTo(2));
            Assert.That(list.RootElement.GetProperty("data").GetArrayLength(), Is.EqualTo(2), "c lists the key a added");
        });
    }

    [Test]
    public async Task KillingOneInstanceMidTraffic_LosesNoAcceptedRequestOnTheOthers()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-1", KeyBehaviour.Answer), ("sk-2", KeyBehaviour.Answer));
        upstream.AnswerDelay = TimeSpan.FromMilliseconds(150);
        var (a, b, c) = await StartThreeAsync(TestGateway.Profile("p", upstream, "sk-1", "sk-2"));
        await using var _ = a;
        await using var __ = c;
        var gateways = new[] { a, b, c };
        const int Requests = 90;
        var killAfter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = 0;
        var outcomes = new ConcurrentBag<(int Instance, string Question, string? Answer, Exception? Error)>();
        using var gate = new SemaphoreSlim(12);

        var traffic = Enumerable.Range(0, Requests).Select(async i =>
        {
            await gate.WaitAsync();
            var instance = i % 3;
            var question = $"q{i}";
            try
            {
                ChatCompletion answer = await gateways[instance].Chat("p").CompleteChatAsync([new UserChatMessage(question)]);
                outcomes.Add((instance, question, answer.Content[0].Text, null));
            }
            catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException or TaskCanceledException)
            {
                outcomes.Add((instance, question, null, e));
            }
            finally
            {
                gate.Release();
                if (Interlocked.Increment(ref completed) == Requests / 3)
                {
                    killAfter.TrySetResult();
                }
            }
        }).ToList();

        await killAfter.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await b.App.StopAsync(new CancellationToken(canceled: true));   // b goes away at once, mid-traffic
        await Task.WhenAll(traffic).WaitAsync(TimeSpan.FromSeconds(120));
        await b.DisposeAsync();

        var survivors = outcomes.Where(o => o.Instance != 1).ToList();
        var onB = outcomes.Where(o => o.Instance == 1).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(survivors, Has.Count.EqualTo(Requests / 3 * 2));
            Assert.That(survivors.Where(o => o.Error is not null).Select(o => o.Error!.Message), Is.Empty, "every request to a and c is answered");
            Assert.That(survivors.All(o => o.Answer == upstream.AnswerTo(o.Question)), Is.True, "and answered right");
            Assert.That(onB.Where(o => o.Answer is not null).All(o => o.Answer == upstream.AnswerTo(o.Question)), Is.True, "b's answers before it died are whole");
            Assert.That(onB.Count(o => o.Error is not null), Is.GreaterThan(0), "b really died mid-traffic");
        });
    }

    /// <summary>Three gateways with the same settings sharing this test's Redis under a fresh key prefix.</summary>
    private async Task<(TestGateway A, TestGateway B, TestGateway C)> StartThreeAsync(Dictionary<string, string?> settings)
    {
        settings["Gateway:Redis:Configuration"] = _redis.Configuration;
        settings["Gateway:Redis:Prefix"] = "test-" + Guid.NewGuid().ToString("N") + ":";
        return (await TestGateway.StartAsync(settings), await TestGateway.StartAsync(settings), await TestGateway.StartAsync(settings));
    }
}
