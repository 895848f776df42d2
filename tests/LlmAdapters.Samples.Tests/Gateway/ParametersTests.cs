using System.Net;
using System.Text.Json;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>OpenAI parameters go through when the profile's adapter has them, else a 400 in OpenAI's format names them (tools and response formats: <see cref="ToolCallingTests"/>).</summary>
public sealed class ParametersTests
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer));
        _gateway = await TestGateway.StartAsync(TestGateway.Profile("p", _upstream, "sk"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Test]
    public async Task TopPAndStop_GoThroughToTheUpstream()
    {
        var options = new ChatCompletionOptions { TopP = 0.5f, Temperature = 0.25f, MaxOutputTokenCount = 77 };
        options.StopSequences.Add("END");
        options.StopSequences.Add("停");

        ChatCompletion answer = await _gateway.Chat("p").CompleteChatAsync([new UserChatMessage("params")], options);

        var body = _upstream.Requests.Last(r => r.Body.GetProperty("messages")[0].GetProperty("content").GetString() == "params").Body;
        Assert.Multiple(() =>
        {
            Assert.That(answer.Content[0].Text, Is.EqualTo(_upstream.AnswerTo("params")));
            Assert.That(body.GetProperty("top_p").GetDouble(), Is.EqualTo(0.5).Within(1e-6));
            Assert.That(body.GetProperty("temperature").GetDouble(), Is.EqualTo(0.25).Within(1e-6));
            Assert.That(body.GetProperty("max_tokens").GetInt32(), Is.EqualTo(77));
            Assert.That(body.GetProperty("stop").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "END", "停" }));
        });
    }

    [TestCase("""{"logit_bias":{"50256":-100}}""", "logit_bias", "not supported by model 'p'")]
    [TestCase("""{"n":2}""", "n", "must be 1")]
    [TestCase("""{"base_url":"http://attacker.example"}""", "base_url", "Unrecognized request argument")]
    [TestCase("""{"apikey":"sk-mine"}""", "apikey", "Unrecognized request argument")]
    public async Task ParameterTheProfileCannotHonour_Gets400NamingIt(string extra, string param, string message)
    {
        var sentBefore = _upstream.Requests.Count;
        var body = extra[..^1] + ""","model":"p","messages":[{"role":"user","content":"hi"}]}""";

        using var response = await _gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json(body));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var error = json.RootElement.GetProperty("error");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(error.GetProperty("param").GetString(), Is.EqualTo(param));
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
            Assert.That(error.GetProperty("message").GetString(), Does.Contain(message).And.Contain(param));
            Assert.That(_upstream.Requests, Has.Count.EqualTo(sentBefore), "nothing was sent upstream");
        });
    }

    [TestCase("""{"\ud83d":1,"model":"p","messages":[{"role":"user","content":"hi"}]}""")]
    [TestCase("""{"model":"\ud83d","messages":[{"role":"user","content":"hi"}]}""")]
    [TestCase("""{"model":"p","messages":[{"role":"user","content":"hi \udc00"}]}""")]
    [TestCase("""{"model":"p","messages":[{"role":"user","content":"hi"}],"stop":["\ud800"]}""")]
    [TestCase("""{"model":"p","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"\ud800":{}}}}}]}""")]
    public async Task ABodyHoldingAStringThatIsNotText_Gets400(string body)
    {
        // An escaped half of a surrogate pair is valid JSON, but not text: reading it threw out of the request's mapping
        // (a 500). Now a 400 in OpenAI's format says so, and nothing is sent upstream.
        var sentBefore = _upstream.Requests.Count;

        using var response = await _gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json(body));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
            Assert.That(json.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("not text"));
            Assert.That(_upstream.Requests, Has.Count.EqualTo(sentBefore), "nothing was sent upstream");
        });
    }

    [Test]
    public async Task NOfOne_AndNullParameters_AreAccepted()
    {
        using var response = await _gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json("""{"model":"p","n":1,"seed":null,"tools":null,"messages":[{"role":"user","content":"n1"}]}"""));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
