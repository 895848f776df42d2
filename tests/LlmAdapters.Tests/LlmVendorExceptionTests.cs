namespace LlmAdapters.Tests;

/// <summary>The public constructors a user needs to fake a client, and the vendor's message and code in one place.</summary>
public sealed class LlmVendorExceptionTests
{
    [Test]
    public void HttpException_MinimalConstructorAndInitializer_CarryWhatAFakeClientSets()
    {
        var e = new LlmHttpException("rate limited", 429) { RetryAfter = TimeSpan.FromSeconds(5), VendorMessage = "slow down", VendorCode = "rate_limit" };

        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Is.EqualTo("rate limited"));
            Assert.That(e.StatusCode, Is.EqualTo(429));
            Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(e.VendorMessage, Is.EqualTo("slow down"));
            Assert.That(e.VendorCode, Is.EqualTo("rate_limit"));
            Assert.That(e.ResponseExcerpt, Is.Null);
        });
    }

    [Test]
    public void StreamAndPollExceptions_MinimalConstructors_CarryTheirState()
    {
        var stream = new LlmStreamException("cut", "Hel") { VendorMessage = "overloaded" };
        var poll = new LlmPollException("still running", "task-1", "RUNNING", timedOut: true);

        Assert.Multiple(() =>
        {
            Assert.That(stream.ReceivedText, Is.EqualTo("Hel"));
            Assert.That(stream.VendorMessage, Is.EqualTo("overloaded"));
            Assert.That(stream.VendorCode, Is.Null);
            Assert.That(poll.QueryId, Is.EqualTo("task-1"));
            Assert.That(poll.Status, Is.EqualTo("RUNNING"));
            Assert.That(poll.TimedOut, Is.True);
            Assert.That(poll.VendorMessage, Is.Null);
        });
    }

    [Test]
    public void VendorErrors_AreCaughtAsLlmVendorExceptionAndAsLlmException()
    {
        LlmException[] errors =
        [
            new LlmHttpException("h", 500, "vendor says h", "E1", null),
            new LlmStreamException("s", "", "vendor says s", "E2"),
            new LlmPollException("p", "q", "FAILED", timedOut: false, "vendor says p", "E3"),
        ];

        foreach (var error in errors)
        {
            var vendor = Catch(error);
            Assert.That(vendor?.VendorMessage, Is.EqualTo("vendor says " + error.Message), error.GetType().Name);
            Assert.That(vendor?.VendorCode, Does.StartWith("E"), error.GetType().Name);
        }

        static LlmVendorException? Catch(LlmException error)
        {
            try
            {
                throw error;
            }
            catch (LlmVendorException e)
            {
                return e;
            }
        }
    }
}
