using LlmAdapters.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>
/// Minimal reproductions of the escapes <see cref="HostileServerFuzzTests"/> found in code outside its reach (the stream
/// engine). Each is ignored until fixed; then remove the Ignore and the bug's entry in <see cref="HostileServerFuzzTests.KnownBugs"/>.
/// </summary>
[Category("Fuzzing")]
public class HostileServerFuzzBugs
{
    /// <summary>
    /// Found by seed 20240605 with 3,000 cases (cases 522, 1074, 1530, 1545, 2122, 2401, 2461, 2526): a stream call answered
    /// 200 with Content-Type application/json is read whole by PlanRunner.ReadJsonInsteadOfStreamAsync under the profile's
    /// Timeout; when the body stalls, the timeout's TaskCanceledException leaves StreamAsync, StreamUpdatesAsync and CallAsync
    /// although the caller cancelled nothing (RunStreamAsync converts only the wait for headers, and only IOException and
    /// HttpRequestException around the body). Expected: LlmTimeoutException (or LlmStreamException "stalled").
    /// </summary>
    [Test]
    public async Task StreamCall_JsonBodyThatStalls_IsAnLlmException_NotTaskCanceled()
    {
        await using var server = await LoopbackServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = new HeadersReadSignal();
        try
        {
            var path = server.Route(async context =>
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 100;
                await context.Response.WriteAsync("""{"choices":[""");
                await context.Response.Body.FlushAsync();
                await release.Task; // the rest never comes
            }, "/chat/completions");
            var time = new ManualTimeProvider();
            var profile = new LlmProfile { Adapter = "openai", BaseUrl = server.BaseUrl + path, Timeout = TimeSpan.FromSeconds(5), Variables = { ["apikey"] = "k", ["model"] = "m" } };
            var client = LlmCatalog.BuiltIn.CreateClient(profile, handler, time);

            var call = StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest { Prompt = "hi" }));
            await handler.HeadersRead.WaitAsync(TimeSpan.FromSeconds(30));
            time.Advance(TimeSpan.FromSeconds(5));

            Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<LlmTimeoutException>().With.Message.Contains("timeout of 5 s"));
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
