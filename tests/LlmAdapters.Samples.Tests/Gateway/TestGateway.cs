using System.ClientModel;
using System.Net.Http.Headers;
using System.Text;
using Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>The gateway hosted in-process on a free loopback port with the given settings (no client key unless one is set), its key file in a fresh directory.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    public const string AdminKey = "admin-test-key";

    private readonly bool _ownsData;

    private TestGateway(WebApplication app, string dataDirectory, bool ownsData)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
        Root = GatewayApp.Addresses(app)[0];
        BaseUrl = Root + GatewayApp.PathPrefix(app);
    }

    public WebApplication App { get; }

    /// <summary>Scheme, host and port, such as http://127.0.0.1:41234.</summary>
    public string Root { get; }

    /// <summary>The root plus the path prefix, if any.</summary>
    public string BaseUrl { get; }

    public string DataDirectory { get; }

    /// <summary>Settings for one openai-adapter profile in front of <paramref name="upstream"/> with these keys.</summary>
    public static Dictionary<string, string?> Profile(string name, FakeUpstream upstream, params string[] keys)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"LlmAdapters:Profiles:{name}:Adapter"] = "openai",
            [$"LlmAdapters:Profiles:{name}:BaseUrl"] = upstream.BaseUrl,
            [$"LlmAdapters:Profiles:{name}:Variables:model"] = "fake-model",
            [$"LlmAdapters:Profiles:{name}:Retry:MaxRetries"] = "0",
        };
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"LlmAdapters:Profiles:{name}:ApiKeys:{i}"] = keys[i];
        }

        return settings;
    }

    public static async Task<TestGateway> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? services = null, string? dataDirectory = null)
    {
        var ownsData = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("gateway-test-").FullName;
        var all = new Dictionary<string, string?>(settings) { ["Gateway:DataDirectory"] = dataDirectory, ["Gateway:AdminKey"] = AdminKey };
        foreach (var (key, value) in settings)
        {
            all[key] = value;   // a test may turn the admin key off with null
        }

        var app = await GatewayApp.BuildAsync(["--urls=http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(all);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new TestGateway(app, dataDirectory, ownsData);
    }

    public ChatClient Chat(string model, string key = "unused", string path = "/v1")
        => new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(BaseUrl + path), NetworkTimeout = TimeSpan.FromSeconds(30), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    public HttpClient Http(string? bearer = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return http;
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsData)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
