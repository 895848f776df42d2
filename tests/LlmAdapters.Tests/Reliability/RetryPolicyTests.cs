using LlmAdapters.Reliability;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmAdapters.Tests.Reliability;

public class RetryPolicyTests
{
    private static RetryPolicy Policy(KeyPool? keys = null)
        => new(new LlmRetryOptions { MaxRetries = 2, MaxRetryAfter = TimeSpan.FromSeconds(60) }, keys, TimeProvider.System, NullLogger.Instance, "p");

    [TestCase(0, true, TestName = "A network error is retried")]
    [TestCase(503, true, TestName = "A configured status is retried")]
    [TestCase(429, true, TestName = "429 is retried")]
    [TestCase(400, false, TestName = "A client error is not retried")]
    [TestCase(401, false, TestName = "A rejected key is not retried without another key")]
    public void IsRetryable_FollowsTheStatus(int status, bool retried)
        => Assert.That(Policy().IsRetryable(new LlmHttpException("x", status)), Is.EqualTo(retried));

    [Test]
    public void IsRetryable_NotWhenTheVendorAsksForLongerThanMaxRetryAfter_ButABodyCutByTheConnectionIs()
    {
        Assert.That(Policy().IsRetryable(new LlmHttpException("x", 503) { RetryAfter = TimeSpan.FromMinutes(5) }), Is.False);
        Assert.That(Policy().IsRetryable(new LlmHttpException("x", 200) { ConnectionFailed = true }), Is.True);
    }

    [Test]
    public void IsRetryable_ARejectedKey_WhenAnotherKeyIsUsable()
    {
        var keys = KeyPool.Create("p", new LlmProfile { ApiKeys = ["k1", "k2"] });
        Assert.That(Policy(keys).IsRetryable(new LlmHttpException("x", 401)), Is.True);
    }

    [Test]
    public void PipelineFor_IsBuiltOncePerCall()
    {
        var policy = Policy();
        var first = policy.PipelineFor("a", "chat");
        Assert.That(policy.PipelineFor("a", "chat"), Is.SameAs(first));
        Assert.That(policy.PipelineFor("a", "other"), Is.Not.SameAs(first));
        Assert.That(Policy().Enabled, Is.True);
        Assert.That(new RetryPolicy(new LlmRetryOptions { MaxRetries = 0 }, null, TimeProvider.System, NullLogger.Instance, "p").Enabled, Is.False);
    }
}
