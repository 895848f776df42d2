using System.Net;
using LlmAdapters.Execution;
using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Execution;

public class HttpErrorsTests
{
    private static TimeSpan? RetryAfter(string name, string value, TimeProvider? time = null)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(name, value);
        return HttpErrors.RetryAfter(response.Headers, time ?? new ManualTimeProvider());
    }

    [TestCase("retry-after-ms", "1500", 1.5)]
    [TestCase("Retry-After", "17", 17.0)]
    [TestCase("retry-after-ms", "1e30", 86_400.0)]
    [TestCase("retry-after-ms", "Infinity", 86_400.0)]
    [TestCase("retry-after-ms", "9223372036854775807", 86_400.0)]
    [TestCase("retry-after-ms", "86400001", 86_400.0)]
    [TestCase("Retry-After", "2147483647", 86_400.0)]
    public void RetryAfter_IsClampedToOneDay(string name, string value, double seconds)
    {
        Assert.That(RetryAfter(name, value), Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [TestCase("retry-after-ms", "NaN")]
    [TestCase("retry-after-ms", "-5")]
    [TestCase("retry-after-ms", "soon")]
    [TestCase("Retry-After", "99999999999999999999")]
    [TestCase("Retry-After", "-1")]
    [TestCase("Retry-After", "tomorrow")]
    public void RetryAfter_ThatIsNotAWait_IsIgnored(string name, string value)
    {
        Assert.That(RetryAfter(name, value), Is.Null);
    }

    [Test]
    public void RetryAfter_AsADate_FarAhead_IsClamped_AndPast_IsZero()
    {
        var time = new ManualTimeProvider();
        Assert.That(RetryAfter("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT", time), Is.EqualTo(HttpErrors.MaxRetryAfter));
        Assert.That(RetryAfter("Retry-After", "Thu, 01 Jan 2026 00:00:30 GMT", time), Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(RetryAfter("Retry-After", "Wed, 01 Jan 2025 00:00:00 GMT", time), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void HugeRetryAfter_FailsAtOnce_LongerThanMaxRetryAfter(bool severalKeys)
    {
        var handler = RecordingHandler.Respond(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("""{"error":{"message":"slow down"}}""") };
            response.Headers.TryAddWithoutValidation("retry-after-ms", "1e30");
            return response;
        });
        var profile = new LlmProfile
        {
            Adapter = "openai",
            BaseUrl = "https://api.test/v1",
            Variables = { ["model"] = "m" },
            Retry = { MaxRetries = 2, UseJitter = false },
        };
        if (severalKeys)
        {
            profile.ApiKeys = ["sk-one", "sk-two"];
        }
        else
        {
            profile.Variables["apikey"] = "sk-one";
        }

        var client = LlmCatalog.BuiltIn.CreateClient(profile, handler.Mock, new ManualTimeProvider());
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" }))!;

        Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromDays(1)));
        Assert.That(e.Message, Does.Contain("wait 86400 s"));
        Assert.That(handler.Requests, Has.Count.EqualTo(1), "a wait longer than MaxRetryAfter is not waited for");
    }

    [Test]
    public async Task ErrorBody_CutByTheConnection_IsStillTheHttpError_WithItsStatus()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var handler = new HeadersReadSignal();
        var path = server.Route(async context =>
        {
            context.Response.StatusCode = 503;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 200;
            await context.Response.WriteAsync("""{"error":{"message":"over""");
            await context.Response.Body.FlushAsync();
            await handler.HeadersRead.WaitAsync(TimeSpan.FromSeconds(10));
            context.Abort();
        }, "/chat/completions");
        var profile = new LlmProfile { Adapter = "openai", BaseUrl = server.BaseUrl + path, Variables = { ["apikey"] = "sk-cut", ["model"] = "m" }, Retry = { MaxRetries = 0 } };

        var e = Assert.ThrowsAsync<LlmHttpException>(() => LlmCatalog.BuiltIn.CreateClient(profile, handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" }))!;

        Assert.That(e.StatusCode, Is.EqualTo(503));
        Assert.That(e.Message, Does.Contain("the connection failed while reading its body"));
    }
}
