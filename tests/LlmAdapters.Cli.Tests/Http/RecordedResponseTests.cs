using System.Text;
using LlmAdapters.Cli.Http;

namespace LlmAdapters.Cli.Tests.Http;

public sealed class RecordedResponseTests
{
    [TestCase("a.txt", "data: {}\n\n", "text/event-stream")]
    [TestCase("a.txt", ": ping\nevent: x\ndata: {}\n\n", "text/event-stream")]
    [TestCase("a.sse", "{}", "text/event-stream")]
    [TestCase("a.ndjson", "{}", "application/x-ndjson")]
    [TestCase("a.txt", "{\"a\":1}\n{\"a\":2}\n", "application/x-ndjson")]
    [TestCase("a.txt", "{\n  \"a\": 1\n}\n", "application/json")]
    [TestCase("a.json", "{\"a\":1}\n{\"a\":2}\n", "application/json")]
    [TestCase("a.json", "[1, 2]", "application/json")]
    [TestCase("a.txt", "hello", "text/plain")]
    public void Guess_FromNameAndBody_PicksTheContentType(string file, string body, string expected)
        => Assert.That(RecordedResponse.Guess(file, Encoding.UTF8.GetBytes(body)), Is.EqualTo(expected));
}
