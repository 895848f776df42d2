using System.Text.Json;
using LlmAdapters;
using LlmAdapters.Samples;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway;

/// <summary>Builds the gateway: every configured LlmAdapters profile behind an OpenAI-compatible API, plus a status page and key management.</summary>
public static class GatewayApp
{
    /// <summary>Where the gateway listens when no URL is configured (ASPNETCORE_URLS, --urls, ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The profile (model) name of the demo upstream started in demo mode.</summary>
    public const string DemoProfile = "demo";

    /// <summary>
    /// Builds the application from <paramref name="args"/>, appsettings.json and environment variables;
    /// <paramref name="configure"/> runs before the profiles are read (tests add configuration, services and logging there).
    /// </summary>
    /// <remarks>
    /// With no profile under <c>LlmAdapters:Profiles</c> the gateway refuses to start, unless demo mode is asked for
    /// (<c>Gateway:Demo=true</c>, or <c>--demo</c> on the command line): then it starts the loopback <see cref="DemoServer"/>
    /// and serves it as the model <c>demo</c>; the application disposes it. Demo mode never applies when profiles exist.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The configuration is unusable; the message names the section or setting.</exception>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var demoFlag = args.Contains("--demo");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args.Where(a => a != "--demo")], ContentRootPath = AppContext.BaseDirectory });
        if (demoFlag)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Demo"] = "true" });
        }

        configure?.Invoke(builder);

        var configuration = builder.Configuration;
        var options = GatewayOptions.Read(configuration);
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"])
            && string.IsNullOrEmpty(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);   // loopback unless told otherwise: a container sets ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS
        }

        DemoServer? demo = null;
        if (!configuration.GetSection("LlmAdapters:Profiles").GetChildren().Any())
        {
            if (!options.Demo)
            {
                throw new InvalidOperationException(MissingProfiles(configuration));
            }

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

        IGatewayStore store = options.Redis is { } redis
            ? await ConnectRedisAsync(redis, options.RedisPrefix)
            : new MemoryGatewayStore(options.DataDirectory);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(_ => store);   // a factory, so the container disposes the store (and its Redis connection) with the app
        services.TryAddSingleton(new GatewayClock(TimeProvider.System));
        services.AddSingleton<GatewayProfiles>();
        services.AddSingleton<IPostConfigureOptions<LlmAdaptersOptions>>(sp => sp.GetRequiredService<GatewayProfiles>());
        services.AddLlmAdapters(configuration.GetSection("LlmAdapters"));
        services.AddSingleton<ProfileClients>();
        services.AddSingleton<AdapterCalls>();
        services.AddSingleton<ModelRoutes>();
        services.AddSingleton<UpstreamKeys>();
        services.AddSingleton<GatewayCounters>();
        services.AddSingleton<UpstreamCalls>();
        services.AddSingleton<KeyValidator>();
        services.AddSingleton(sp => new GatewayKeys(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<WebSearch>();
        services.AddHttpClient(WebSearch.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<ChatCompletionsEndpoint>();
        services.AddSingleton<KeysEndpoints>();
        services.AddSingleton<StatusEndpoints>();
        services.AddSingleton<KeyHealthChecker>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyHealthChecker>());

        var app = builder.Build();
        if (demo is not null)
        {
            app.Services.GetRequiredService<DemoServer>();
        }

        try
        {
            // Validated now, so a profile that cannot work stops the start instead of failing the first request.
            _ = app.Services.GetRequiredService<IOptionsMonitor<LlmAdaptersOptions>>().CurrentValue;
        }
        catch (OptionsValidationException e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException("The LlmAdapters section is invalid: " + string.Join(" ", e.Failures), e);
        }

        app.Services.GetRequiredService<LlmUsageMonitor>();   // start counting now: the uptime runs from here
        Map(app, options);
        return app;
    }

    /// <summary>The base URLs the started application listens on (after <c>StartAsync</c>; port 0 resolved), without the path prefix.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Urls.Select(u => u.TrimEnd('/'))];
    }

    /// <summary>The path every route lives under (<c>Gateway:PathPrefix</c> or <c>API_PATH</c>), such as <c>/custom</c>; empty when none.</summary>
    public static string PathPrefix(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<GatewayOptions>().PathPrefix;
    }

    private static async Task<IGatewayStore> ConnectRedisAsync(string configuration, string prefix)
    {
        try
        {
            return await RedisGatewayStore.ConnectAsync(configuration, prefix);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or ArgumentException)
        {
            throw new InvalidOperationException($"Gateway:Redis:Configuration is set but Redis cannot be used: {e.Message} Start Redis, correct the setting, or remove it to keep the state in this process.", e);
        }
    }

    /// <summary>Names the missing section and the sections that look like a misspelling of it.</summary>
    private static string MissingProfiles(ConfigurationManager configuration)
    {
        var lookalikes = configuration.GetChildren()
            .SelectMany(c => c.GetChildren().Select(child => c.Key + ":" + child.Key).Prepend(c.Key))
            .Where(path => path.Contains("adapter", StringComparison.OrdinalIgnoreCase) || path.Contains("profile", StringComparison.OrdinalIgnoreCase))
            .Where(path => !path.Equals("LlmAdapters", StringComparison.Ordinal) && !path.Equals("LlmAdapters:Profiles", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Take(5)
            .ToList();
        var hint = lookalikes.Count > 0 ? $" Sections found that look alike (the name is case-sensitive in environment variables' prefixes): {string.Join(", ", lookalikes)}." : "";
        return "The gateway has no upstream to serve: the configuration section 'LlmAdapters:Profiles' is missing or empty." + hint
            + " Configure a profile (such as LlmAdapters__Profiles__kimi__Adapter=openai, __BaseUrl, __ApiKeys__0), or ask for the loopback demo upstream explicitly with --demo or Gateway:Demo=true.";
    }

    private static void Map(WebApplication app, GatewayOptions options)
    {
        var clientKeys = app.Services.GetRequiredService<GatewayKeys>();
        var counters = app.Services.GetRequiredService<GatewayCounters>();
        var prefix = options.PathPrefix;
        if (prefix.Length > 0)
        {
            // Every route lives under the prefix; nothing answers outside it.
            app.Use(async (context, next) =>
            {
                if (!context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase, out var rest))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                if (!rest.HasValue)
                {
                    context.Response.Redirect(prefix + "/" + context.Request.QueryString);   // the status page's links are relative to prefix/
                    return;
                }

                context.Request.PathBase = context.Request.PathBase.Add(prefix);
                context.Request.Path = rest;
                await next(context);
            });
        }

        app.Use(async (context, next) =>
        {
            if ((context.Request.Path.StartsWithSegments("/v1") || context.Request.Path.StartsWithSegments("/web/v1")) && !clientKeys.IsAuthorized(context))
            {
                await counters.RejectedAsync("unauthorized");
                await OpenAiError.Unauthorized().WriteResponseAsync(context);
                return;
            }

            await next(context);
        });
        app.UseRouting();   // after the prefix is taken off, so routes match the rest of the path

        var chat = app.Services.GetRequiredService<ChatCompletionsEndpoint>();
        var keys = app.Services.GetRequiredService<KeysEndpoints>();
        var status = app.Services.GetRequiredService<StatusEndpoints>();
        app.MapPost("/v1/chat/completions", chat.HandleAsync);
        app.MapPost("/web/v1/chat/completions", chat.HandleWithSearchAsync);
        app.MapGet("/v1/models", ModelsAsync);
        app.MapGet("/v1/models/{**id}", ModelAsync);
        app.MapGet("/keys", keys.ListAsync);
        app.MapPost("/keys", keys.AddAsync);
        app.MapDelete("/keys/{id}", keys.RemoveAsync);
        app.MapGet("/stats", status.StatsAsync);
        app.MapGet("/", status.Page);
    }

    private static readonly long ModelsCreated = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static async Task ModelsAsync(HttpContext context, ModelRoutes routes, ProfileClients clients)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            foreach (var (id, profile) in routes.List())
            {
                WriteModel(writer, id, clients.Profiles[profile].Adapter);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static async Task ModelAsync(HttpContext context, string id, ModelRoutes routes, ProfileClients clients, GatewayCounters counters)
    {
        if (routes.Resolve(id) is not { } route)
        {
            await counters.RejectedAsync("unknown_model");
            await new OpenAiError(404, $"The model '{id}' does not exist{routes.Hint()}.", "invalid_request_error", "model_not_found", "model").WriteResponseAsync(context);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Writer))
        {
            WriteModel(writer, route.ClientModel, clients.Profiles[route.Profile].Adapter);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void WriteModel(Utf8JsonWriter writer, string id, string adapter)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "model");
        writer.WriteNumber("created", ModelsCreated);
        writer.WriteString("owned_by", adapter);
        writer.WriteEndObject();
    }
}
