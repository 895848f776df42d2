using System.Net;
using System.Text;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Execution;

/// <summary>query_url: a URL read from a submit response is used whole, and only on the BaseUrl origin or a url_hosts host.</summary>
public class ResponseUrlTests
{
    private const string Key = "sk-URLHOST-5e6f7a8b";

    private static string Definition(string hosts) => $$"""
        {
          "name": "tasks",
          "job": {
            "path": "/v1/jobs", "method": "POST", "apitype": "async",
            "headers": [ { "name": "Authorization", "value": "Bearer ${apikey}" } ],
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "queryid", "value": "id" }, { "name": "get_url", "value": "urls.get" } ],
            "query_url": "${get_url}",
            {{hosts}}
            "query_status": "status",
            "query_resp": [ { "name": "content", "value": "output" } ],
            "poll_interval": 1
          }
        }
        """;

    private static (ILlmClient Client, ManualTimeProvider Time, RecordingHandler Handler) Client(string getUrl, string hosts = "")
    {
        var answers = new Queue<string>([
            "{\"id\":\"t1\",\"status\":\"starting\",\"urls\":{\"get\":\"" + getUrl + "\"}}",
            """{"id":"t1","status":"succeeded","output":"完成"}""",
        ]);
        var handler = RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(answers.Count > 0 ? answers.Dequeue() : "{}", Encoding.UTF8, "application/json"),
        });
        var profile = new LlmProfile
        {
            Adapter = "tasks",
            BaseUrl = "https://api.vendor.test",
            Timeout = Timeout.InfiniteTimeSpan,
            Variables = { ["apikey"] = Key },
            Retry = { MaxRetries = 0 },
        };
        var time = new ManualTimeProvider();
        return (LlmCatalog.FromJson(Definition(hosts)).CreateClient(profile, handler.Mock, time), time, handler);
    }

    [Test]
    public async Task AUrlOnTheBaseUrlOrigin_IsPolledWhole_NotEscapedIntoAPath()
    {
        var (client, time, handler) = Client("https://api.vendor.test/v1/predictions/t1?x=a%2Fb");
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "job", Prompt = "hi" }));
        Assert.That(response.Text, Is.EqualTo("完成"));
        Assert.That(handler.Requests[1].Url.AbsoluteUri, Is.EqualTo("https://api.vendor.test/v1/predictions/t1?x=a%2Fb"));
        Assert.That(handler.Requests[1].Headers["Authorization"], Is.EqualTo("Bearer " + Key));
    }

    [TestCase("stream.vendor.net", "https://stream.vendor.net/v1/t1")]
    [TestCase("*.vendor.net", "https://eu.stream.vendor.net/v1/t1")]
    public async Task AUrlOnAHostOfUrlHosts_IsPolled(string host, string url)
    {
        var (client, time, handler) = Client(url, $"\"url_hosts\": [\"{host}\"],");
        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "job", Prompt = "hi" }));
        Assert.That(response.Text, Is.EqualTo("完成"));
        Assert.That(handler.Requests[1].Url.AbsoluteUri, Is.EqualTo(url));
    }

    [TestCase("https://attacker.example/v1/t1", "attacker.example", "")]
    [TestCase("https://vendor.net.attacker.example/t1", "vendor.net.attacker.example", "\"url_hosts\": [\"*.vendor.net\"],")]
    [TestCase("https://vendor.net/t1", "vendor.net", "\"url_hosts\": [\"*.vendor.net\"],")]
    [TestCase("http://stream.vendor.net/t1", "stream.vendor.net", "\"url_hosts\": [\"stream.vendor.net\"],")]
    [TestCase("http://api.vendor.test/v1/t1", "api.vendor.test", "")]
    [TestCase("https://api.vendor.test:8443/v1/t1", "api.vendor.test", "")]
    public void AUrlOnAnotherHost_IsRefused_BeforeAnythingIsSentThere(string url, string host, string hosts)
    {
        var (client, time, handler) = Client(url, hosts);
        var e = Assert.ThrowsAsync<LlmRequestException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "job", Prompt = "hi" })))!;
        Assert.That(e.Message, Does.Contain($"'{host}'").And.Contain("url_hosts").And.Not.Contain(Key));
        Assert.That(handler.Requests, Has.Count.EqualTo(1), "only the submit was sent");
    }

    [TestCase("ftp://api.vendor.test/t1")]
    [TestCase("/v1/t1")]
    [TestCase("https://user:pw@api.vendor.test/t1")]
    public void AUrlThatIsNotAnAbsoluteHttpUrl_OrCarriesUserInfo_IsRefused(string url)
    {
        var (client, time, handler) = Client(url);
        Assert.ThrowsAsync<LlmRequestException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "job", Prompt = "hi" })));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [TestCase("\"url_hosts\": \"a.com\",", "must be an array")]
    [TestCase("\"url_hosts\": [\"https://a.com\"],", "is not a host name")]
    [TestCase("\"url_hosts\": [\"a.*.com\"],", "is not a host name")]
    [TestCase("\"query_path\": \"/x\",", "both \"query_path\" and \"query_url\"")]
    public void BadUrlKeys_AreDefinitionErrors(string hosts, string expected)
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(Definition(hosts)))!;
        Assert.That(e.Message, Does.Contain(expected));
    }
}
