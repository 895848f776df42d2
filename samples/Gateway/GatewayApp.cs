using System.Text.Json;
using LlmAdapters;
using LlmAdapters.Samples;

namespace Gateway;

/// <summary>Builds the gateway: every configured LlmAdapters profile behind an OpenAI-compatible API, plus a status page.</summary>
public static class GatewayApp
{
    /// <summary>Where the gateway listens when no URL is configured (ASPNETCORE_URLS, --urls, ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The profile (model) name of the demo upstream started when no profile is configured.</summary>
    public const string DemoProfile = "demo";

    /// <summary>
    /// Builds the application from <paramref name="args"/>, appsettings.json and environment variables;
    /// <paramref name="configure"/> runs before the profiles are read (tests add configuration and logging there).
    /// </summary>
    /// <remarks>With no profile under <c>LlmAdapters:Profiles</c>, starts the loopback <see cref="DemoServer"/> and serves it as the model <c>demo</c>; the application disposes it.</remarks>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);

        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"])
            && string.IsNullOrEmpty(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);   // loopback unless told otherwise: a container sets ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS
        }

        DemoServer? demo = null;
        if (!configuration.GetSection("LlmAdapters:Profiles").GetChildren().Any())
        {
            demo = await DemoServer.StartAsync();
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"LlmAdapters:Profiles:{DemoProfile}:Adapter"] = "openai",
                [$"LlmAdapters:Profiles:{DemoProfile}:BaseUrl"] = demo.BaseUrl,
                [$"LlmAdapters:Profiles:{DemoProfile}:Variables:model"] = DemoServer.Model,
                // Two upstream keys, the first one revoked: the first request it gets is rejected (401), the key leaves
                // the rotation and the request is retried at once with the good key — the caller never sees the failure.
                [$"LlmAdapters:Profiles:{DemoProfile}:ApiKeys:0"] = "sk-demo-revoked",
                [$"LlmAdapters:Profiles:{DemoProfile}:ApiKeys:1"] = DemoServer.ApiKey,
            });
            builder.Services.AddSingleton(_ => demo);   // created by a factory, so the container disposes it with the app
        }

        builder.Services.AddLlmAdapters(configuration.GetSection("LlmAdapters"));
        builder.Services.AddSingleton<ProfileClients>();

        var app = builder.Build();
        if (demo is not null)
        {
            app.Services.GetRequiredService<DemoServer>();
        }

        app.Services.GetRequiredService<LlmUsageMonitor>();   // start counting now: the uptime runs from here
        Map(app);
        return app;
    }

    /// <summary>The base URLs the started application listens on (after <c>StartAsync</c>; port 0 resolved).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Urls.Select(u => u.TrimEnd('/'))];
    }

    private static void Map(WebApplication app)
    {
        var configuration = app.Configuration;
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1") && !GatewayKeys.IsAuthorized(context, configuration))
            {
                await OpenAiError.Unauthorized().WriteResponseAsync(context);
                return;
            }

            await next(context);
        });

        app.MapPost("/v1/chat/completions", ChatCompletionsEndpoint.HandleAsync);
        app.MapGet("/v1/models", ModelsAsync);
        app.MapGet("/stats", StatusEndpoints.StatsAsync);
        app.MapGet("/", StatusEndpoints.Page);
    }

    private static async Task ModelsAsync(HttpContext context, ProfileClients clients)
    {
        var created = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            foreach (var (name, profile) in clients.Profiles.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                writer.WriteStartObject();
                writer.WriteString("id", name);
                writer.WriteString("object", "model");
                writer.WriteNumber("created", created);
                writer.WriteString("owned_by", profile.Adapter);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
