using Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>The gateway hosted in-process on 127.0.0.1 (a free port), in front of the loopback demo server.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    public const string GatewayKey = "gw-test-key";

    private GatewayHost(WebApplication app, DemoServer upstream)
    {
        App = app;
        Upstream = upstream;
        BaseUrl = GatewayApp.Addresses(app)[0];
    }

    public WebApplication App { get; }

    public DemoServer Upstream { get; }

    /// <summary>The gateway's root, such as http://127.0.0.1:41234.</summary>
    public string BaseUrl { get; }

    /// <summary>
    /// Profiles: <c>demo</c> (two upstream keys, the first one revoked), <c>broken</c> (a key the upstream rejects), and
    /// any <paramref name="extraProfiles"/> (openai adapter).
    /// </summary>
    public static async Task<GatewayHost> StartAsync(bool requireKey = true, params (string Name, string BaseUrl)[] extraProfiles)
    {
        var upstream = await DemoServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["LlmAdapters:Profiles:demo:Adapter"] = "openai",
            ["LlmAdapters:Profiles:demo:BaseUrl"] = upstream.BaseUrl,
            ["LlmAdapters:Profiles:demo:Variables:model"] = DemoServer.Model,
            ["LlmAdapters:Profiles:demo:ApiKeys:0"] = "sk-revoked",
            ["LlmAdapters:Profiles:demo:ApiKeys:1"] = DemoServer.ApiKey,
            ["LlmAdapters:Profiles:broken:Adapter"] = "openai",
            ["LlmAdapters:Profiles:broken:BaseUrl"] = upstream.BaseUrl,
            ["LlmAdapters:Profiles:broken:Variables:model"] = DemoServer.Model,
            ["LlmAdapters:Profiles:broken:Variables:apikey"] = "sk-wrong",
            ["Gateway:ApiKeys:0"] = requireKey ? GatewayKey : null,
            ["Gateway:DataDirectory"] = Path.Combine(Path.GetTempPath(), "gateway-test-" + Guid.NewGuid().ToString("N")),
        };
        foreach (var (name, baseUrl) in extraProfiles)
        {
            settings[$"LlmAdapters:Profiles:{name}:Adapter"] = "openai";
            settings[$"LlmAdapters:Profiles:{name}:BaseUrl"] = baseUrl;
            settings[$"LlmAdapters:Profiles:{name}:Variables:model"] = "m";
            settings[$"LlmAdapters:Profiles:{name}:Variables:apikey"] = "k";
        }

        var app = await GatewayApp.BuildAsync(["--urls=http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(settings);
        });
        await app.StartAsync();
        return new GatewayHost(app, upstream);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
