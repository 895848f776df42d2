using System.Net;
using LlmAdapters.DependencyInjection;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Tests.DependencyInjection;

/// <summary>The named clients of AddLlmAdapters log nothing that holds a key and follow no redirects themselves.</summary>
public class HttpClientHardeningTests
{
    private const string Key = "sk-HDRLOG-7a1b2c3d4e5f";

    private static ServiceProvider Services(CapturingLoggerProvider logs, RecordingHandler handler, Action<LlmAdaptersBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var builder = services.AddLlmAdapters(o => o.AdapterPaths.Add(CarrierAdapters.WriteToTempFolder()))
            .AddProfile("p", p =>
            {
                p.Adapter = "carriers";
                p.BaseUrl = "https://vendor.test/v1";
                p.Variables["apikey"] = Key;
                p.Retry.MaxRetries = 0;
            });
        builder.AddHttpClient("p").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        configure?.Invoke(builder);

        // A client of the application's own, with the factory's default logging: the control that shows the capture sees header values.
        services.AddHttpClient("app").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task NamedClient_WritesNoKey_InAnyLogRecordAtTrace()
    {
        var logs = new CapturingLoggerProvider();
        var handler = RecordingHandler.Json("""{"text":"ok"}""");
        await using var provider = Services(logs, handler);
        var factory = provider.GetRequiredService<ILlmClientFactory>();

        foreach (var call in new[] { "header", "query", "body", "basic" })
        {
            var response = await factory.CreateClient("p").CallAsync(new LlmRequest { Call = call, Prompt = "hi" });
            Assert.That(response.Text, Is.EqualTo("ok"));
        }

        Assert.That(handler.Requests.Select(r => r.Headers.GetValueOrDefault("x-api-key")), Does.Contain(Key), "the key was sent");
        Assert.That(logs.Texts, Is.Not.Empty);
        Assert.That(logs.Texts, Has.None.Contains(Key));
        Assert.That(logs.Texts, Has.None.Contains(Convert.ToBase64String("me:"u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(Key)).ToArray())));
        Assert.That(logs.Lines.Select(l => l.Category), Has.None.StartsWith("System.Net.Http.HttpClient.LlmAdapters."), "the factory's request logging is removed");

        // The control: the factory's default logging of an application's client puts the header value in the state at Trace.
        using var app = provider.GetRequiredService<IHttpClientFactory>().CreateClient("app");
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://vendor.test/other");
        request.Headers.TryAddWithoutValidation("x-api-key", Key);
        (await app.SendAsync(request)).Dispose();
        Assert.That(logs.Texts, Has.Some.Contains(Key), "the capture sees what the default logging writes");
    }

    /// <remarks>
    /// Only the formatted text is redacted: the structured state of the factory's Trace header records
    /// (HttpHeadersLogValue) holds the raw values whatever ShouldRedactHeaderValue says, which is why the logging is
    /// removed rather than redacted. The docs say so.
    /// </remarks>
    [Test]
    public async Task LoggingAddedBack_RedactsEveryHeaderValue_InFormattedMessages()
    {
        var logs = new CapturingLoggerProvider();
        var handler = RecordingHandler.Json("""{"text":"ok"}""");
        await using var provider = Services(logs, handler, b => b.AddHttpClient("p").AddDefaultLogger());

        await provider.GetRequiredService<ILlmClientFactory>().CreateClient("p").CallAsync(new LlmRequest { Call = "header", Prompt = "hi" });

        Assert.That(logs.Lines.Select(l => l.Category), Has.Some.StartsWith("System.Net.Http.HttpClient.LlmAdapters.p."), "the application turned request logging back on");
        Assert.That(logs.Lines.Select(l => l.Message), Has.Some.Contains("x-api-key: *"));
        Assert.That(logs.Lines.Select(l => l.Message), Has.None.Contains(Key));
        Assert.That(logs.Texts, Has.Some.EqualTo(Key), "the structured state still holds it: the reason the logging is removed by default");
    }

    [Test]
    public void RemoveAllLoggers_IsCaptured()
    {
        // If a new Microsoft.Extensions.Http changed how RemoveAllLoggers configures a client, this fails (and the
        // named clients would fall back to redacted logging only).
        var options = new Microsoft.Extensions.Http.HttpClientFactoryOptions();
        new HttpClientHardening().Configure("LlmAdapters.p", options);
        Assert.That(options.ShouldRedactHeaderValue("Authorization"), Is.True);
        Assert.That(HttpClientHardening.RemovesLogging, Is.True);
    }

    [Test]
    public void PrimaryHandler_AutoRedirectTurnedOff_ForLlmAdaptersClientsOnly()
    {
        using var handler = new HttpClientHandler();
        using var sockets = new SocketsHttpHandler();
        HttpClientHardening.DisableAutoRedirect(handler);
        HttpClientHardening.DisableAutoRedirect(sockets);
        Assert.That(handler.AllowAutoRedirect, Is.False);
        Assert.That(sockets.AllowAutoRedirect, Is.False);

        var ours = new Microsoft.Extensions.Http.HttpClientFactoryOptions();
        var theirs = new Microsoft.Extensions.Http.HttpClientFactoryOptions();
        new HttpClientHardening().PostConfigure("LlmAdapters.p", ours);
        new HttpClientHardening().PostConfigure("app", theirs);
        Assert.That(ours.HttpMessageHandlerBuilderActions, Has.Count.EqualTo(1));
        Assert.That(theirs.HttpMessageHandlerBuilderActions, Is.Empty);
    }
}
