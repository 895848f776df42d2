// LlmAdapters with your own definition file and your own converter, configured from appsettings.json and
// environment variables. The made-up "echo" vendor runs on a small loopback server started here.
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LlmAdapters;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var port = FreePort();
using var vendor = EchoVendor.Start(port);

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddEnvironmentVariables()
    .AddInMemoryCollection(new Dictionary<string, string?> { ["LlmAdapters:Profiles:echo:BaseUrl"] = $"http://127.0.0.1:{port}" })
    .Build();

var services = new ServiceCollection();
services.AddLlmAdapters(configuration.GetSection("LlmAdapters"))
    .AddConverter(LlmConverter.Create("shout", (string text) => text.ToUpperInvariant()));   // named in adapters/echo.json
await using var provider = services.BuildServiceProvider();

var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("echo");
Console.Write("Answer: ");
await foreach (var piece in client.StreamAsync(new LlmRequest { System = "Be kind.", Prompt = "你好, echo!" }))
{
    Console.Write(piece);
}

Console.WriteLine();
return 0;

static int FreePort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    return ((IPEndPoint)probe.LocalEndpoint).Port;
}

/// <summary>The made-up vendor: echoes the prompt back word by word as plain text.</summary>
internal sealed class EchoVendor : IDisposable
{
    private readonly HttpListener _listener = new();

    private EchoVendor(int port)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public static EchoVendor Start(int port) => new(port);

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            var prompt = body.RootElement.GetProperty("prompt").GetString();
            var voice = body.RootElement.GetProperty("voice").GetString();
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.SendChunked = true;
            foreach (var word in $"[{voice}] You said: {prompt}".Split(' '))
            {
                var bytes = Encoding.UTF8.GetBytes(word + " ");
                await context.Response.OutputStream.WriteAsync(bytes);
                await context.Response.OutputStream.FlushAsync();
            }

            context.Response.Close();
        }
    }
}
