using LlmAdapters.Auth;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Auth;

/// <summary>The token cache: kept until its use-until time on the client's clock, one token call however many callers wait, a refused token dropped once.</summary>
public class TokenCacheTests
{
    [Test]
    public async Task Token_IsKeptUntilItsLifetimeLessTheMargin()
    {
        var time = new ManualTimeProvider();
        var cache = new TokenCache(time);
        var fetches = 0;
        Task<AccessToken> Fetch() => Task.FromResult(AccessToken.Create($"token-{++fetches}", time.GetUtcNow(), TimeSpan.FromHours(1)));

        Assert.That((await cache.GetAsync("c", Fetch, CancellationToken.None)).Value, Is.EqualTo("token-1"));
        time.Advance(TimeSpan.FromMinutes(54)); // an hour less the 5-minute margin is 55 minutes
        Assert.That((await cache.GetAsync("c", Fetch, CancellationToken.None)).Value, Is.EqualTo("token-1"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await cache.GetAsync("c", Fetch, CancellationToken.None)).Value, Is.EqualTo("token-2"));
        Assert.That(fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task Credentials_HaveTheirOwnTokens()
    {
        var cache = new TokenCache(new ManualTimeProvider());
        var a = await cache.GetAsync("a", () => Task.FromResult(new AccessToken("ta", null)), CancellationToken.None);
        var b = await cache.GetAsync("b", () => Task.FromResult(new AccessToken("tb", null)), CancellationToken.None);
        Assert.That((a.Value, b.Value), Is.EqualTo(("ta", "tb")));
    }

    [Test]
    public async Task ConcurrentCallers_ShareOneFetch()
    {
        var cache = new TokenCache(new ManualTimeProvider());
        var gate = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetches = 0;
        var callers = Enumerable.Range(0, 100).Select(_ => cache.GetAsync("c", () => { Interlocked.Increment(ref fetches); return gate.Task; }, CancellationToken.None)).ToArray();
        gate.SetResult(new AccessToken("shared", null));

        var tokens = await Task.WhenAll(callers);

        Assert.That(fetches, Is.EqualTo(1));
        Assert.That(tokens.Select(t => t.Value).Distinct(), Is.EqualTo(new[] { "shared" }));
    }

    [Test]
    public async Task FailedFetch_IsNotKept()
    {
        var cache = new TokenCache(new ManualTimeProvider());
        Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("c", () => Task.FromException<AccessToken>(new InvalidOperationException("down")), CancellationToken.None));
        var token = await cache.GetAsync("c", () => Task.FromResult(new AccessToken("ok", null)), CancellationToken.None);
        Assert.That(token.Value, Is.EqualTo("ok"));
    }

    [Test]
    public async Task Invalidate_DropsOnlyTheRefusedToken()
    {
        var cache = new TokenCache(new ManualTimeProvider());
        var fetches = 0;
        Task<AccessToken> Fetch() => Task.FromResult(new AccessToken($"t{++fetches}", null));
        var first = await cache.GetAsync("c", Fetch, CancellationToken.None);
        cache.Invalidate("c", first);
        var second = await cache.GetAsync("c", Fetch, CancellationToken.None);

        cache.Invalidate("c", first); // a late refusal of the old token does not drop the new one
        var third = await cache.GetAsync("c", Fetch, CancellationToken.None);

        Assert.That((first.Value, second.Value, third.Value), Is.EqualTo(("t1", "t2", "t2")));
    }

    [Test]
    public async Task ACallerThatGivesUp_DoesNotCancelTheFetchForOthers()
    {
        var cache = new TokenCache(new ManualTimeProvider());
        var gate = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancelled = new CancellationTokenSource();
        var quitter = cache.GetAsync("c", () => gate.Task, cancelled.Token);
        var other = cache.GetAsync("c", () => gate.Task, CancellationToken.None);
        cancelled.Cancel();
        gate.SetResult(new AccessToken("t", null));

        Assert.CatchAsync<OperationCanceledException>(() => quitter);
        Assert.That((await other).Value, Is.EqualTo("t"));
    }

    [Test]
    public void ToString_NeverShowsTheToken()
    {
        var token = AccessToken.Create("24.secret-token-value", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(30));
        Assert.That(token.ToString(), Does.Not.Contain("secret-token-value").And.Contain("***"));
        Assert.That(token.UseUntil, Is.EqualTo(new DateTimeOffset(2026, 1, 30, 23, 55, 0, TimeSpan.Zero)));
    }
}
