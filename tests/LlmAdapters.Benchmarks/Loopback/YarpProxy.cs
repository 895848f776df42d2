using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace LlmAdapters.Benchmarks.Loopback;

/// <summary>
/// The reverse-proxy baseline of the gateway benchmark: YARP (Yarp.ReverseProxy 2.3.0) forwarding every request to one
/// upstream byte for byte, as an operator would configure it, in its own process ("proxy --target URL").
/// </summary>
public static class YarpProxy
{
    public static async Task<int> ServeAsync(string[] args)
    {
        var target = args.SkipWhile(a => a != "--target").Skip(1).FirstOrDefault() ?? throw new ArgumentException("proxy needs --target URL");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MinResponseDataRate = null;
        });
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**rest}" } }],
            [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["one"] = new() { Address = target } } }]);
        await using var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Console.WriteLine("LISTENING " + address);
        Console.Out.Flush();
        await Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        });
        await app.StopAsync();
        return 0;
    }
}
