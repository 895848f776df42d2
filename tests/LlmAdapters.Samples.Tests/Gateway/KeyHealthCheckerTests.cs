using System.Text.Json;
using Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>Periodic key checks and key rests, on a fake clock: a key that fails leaves the rotation and shows so; one that recovers comes back.</summary>
public sealed class KeyHealthCheckerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    [Test]
    public async Task PeriodicCheck_TakesAFailingKeyOut_AndBringsItBackWhenItRecovers()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-first", KeyBehaviour.Answer), ("sk-second", KeyBehaviour.Answer));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = TestGateway.Profile("p", upstream, "sk-first", "sk-second");
        settings["Gateway:KeyCheckInterval"] = "00:10:00";
        await using var gateway = await TestGateway.StartAsync(settings, services => services.AddSingleton(new GatewayClock(clock)));
        var checker = gateway.App.Services.GetRequiredService<KeyHealthChecker>();

        Assert.That(await StatesAsync(gateway), Is.EqualTo(new[] { "healthy", "healthy" }));
        Assert.That(upstream.ModelCalls, Is.Zero, "no check before the first interval has passed");

        upstream.Set("sk-first", KeyBehaviour.Reject);
        await AdvanceAndWaitAsync(clock, checker);
        var afterFailure = await StatesAsync(gateway);
        for (var i = 0; i < 4; i++)
        {
            await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("hi")]);
        }

        var firstUsed = upstream.ChatRequestsWith("sk-first");
        upstream.Set("sk-first", KeyBehaviour.Answer);
        await AdvanceAndWaitAsync(clock, checker);
        var afterRecovery = await StatesAsync(gateway);

        Assert.Multiple(() =>
        {
            Assert.That(upstream.ModelCalls, Is.EqualTo(4), "two keys checked in each of two rounds");
            Assert.That(afterFailure, Is.EqualTo(new[] { "rejected", "healthy" }));
            Assert.That(firstUsed, Is.Zero, "a rejected key is out of rotation");
            Assert.That(upstream.ChatRequestsWith("sk-second"), Is.EqualTo(4));
            Assert.That(afterRecovery, Is.EqualTo(new[] { "healthy", "healthy" }));
        });
    }

    [Test]
    public async Task RateLimitedKey_RestsForRetryAfter_ThenShowsHealthyAndIsUsedAgain()
    {
        await using var upstream = await FakeUpstream.StartAsync("up", ("sk-limited", KeyBehaviour.RateLimit), ("sk-other", KeyBehaviour.Answer));
        upstream.RetryAfterSeconds = 30;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(TestGateway.Profile("p", upstream, "sk-limited", "sk-other"), services => services.AddSingleton(new GatewayClock(clock)));

        // Round-robin starts with the first key: it gets 429, rests, and the request goes on with the second at once.
        ChatCompletion first = await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("one")]);
        var resting = await StatesAsync(gateway);
        await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("two")]);
        var limitedWhileResting = upstream.ChatRequestsWith("sk-limited");

        upstream.Set("sk-limited", KeyBehaviour.Answer);
        clock.Advance(TimeSpan.FromSeconds(31));
        var rested = await StatesAsync(gateway);
        for (var i = 0; i < 2; i++)
        {
            await gateway.Chat("p").CompleteChatAsync([new UserChatMessage("again")]);
        }

        Assert.Multiple(() =>
        {
            Assert.That(first.Content[0].Text, Is.EqualTo(upstream.AnswerTo("one")));
            Assert.That(resting, Is.EqualTo(new[] { "resting", "healthy" }));
            Assert.That(limitedWhileResting, Is.EqualTo(1), "a resting key gets no request");
            Assert.That(rested, Is.EqualTo(new[] { "healthy", "healthy" }), "a rest that is over shows healthy");
            Assert.That(upstream.ChatRequestsWith("sk-limited"), Is.EqualTo(2), "back in the rotation");
        });
    }

    private static async Task AdvanceAndWaitAsync(FakeTimeProvider clock, KeyHealthChecker checker)
    {
        var round = checker.NextCheckAsync();
        clock.Advance(Interval);
        await round.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The states /stats shows for profile p's keys, in order.</summary>
    private static async Task<string[]> StatesAsync(TestGateway gateway)
    {
        using var http = gateway.Http();
        using var stats = JsonDocument.Parse(await http.GetStringAsync("stats"));
        var profile = stats.RootElement.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("profile").GetString() == "p");
        return [.. profile.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("state").GetString()!)];
    }
}
