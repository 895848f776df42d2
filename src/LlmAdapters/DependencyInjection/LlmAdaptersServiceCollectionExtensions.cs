using LlmAdapters.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmAdapters;

/// <summary>Registers LlmAdapters in a service collection.</summary>
public static class LlmAdaptersServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ILlmClientFactory"/>, and keyed <see cref="ILlmClient"/>, <c>IChatClient</c> and <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (the profile's <c>embeddings</c> call) services whose key is a profile name, with options from a configuration section (by convention <c>LlmAdapters</c>).</summary>
    /// <remarks>Profiles follow configuration reloads: a client created after a change (a rotated API key) uses the new values.</remarks>
    public static LlmAdaptersBuilder AddLlmAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddLlmAdapters();
        services.Configure<LlmAdaptersOptions>(configuration);
        return builder;
    }

    /// <summary>Registers <see cref="ILlmClientFactory"/> with options set in code.</summary>
    public static LlmAdaptersBuilder AddLlmAdapters(this IServiceCollection services, Action<LlmAdaptersOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddLlmAdapters();
        services.Configure(configure);
        return builder;
    }

    private static string ProfileName(object? key)
        => key as string ?? throw new LlmConfigurationException($"An LlmAdapters client was requested with the service key {key ?? "null"}; the key must be a profile name (a string).");

    /// <summary>Registers <see cref="ILlmClientFactory"/>; configure options and profiles through the returned builder or <c>services.Configure&lt;LlmAdaptersOptions&gt;</c>.</summary>
    public static LlmAdaptersBuilder AddLlmAdapters(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Every profile is checked against the loaded adapters at start (with a host) or on first use, all problems in one message.
        services.AddOptions<LlmAdaptersOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<LlmAdaptersOptions>, LlmAdaptersOptionsValidator>());
        services.AddHttpClient();
        // The named clients of profiles: no request logging (it holds the key), no redirects followed by the handler.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.Extensions.Http.HttpClientFactoryOptions>, HttpClientHardening>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IPostConfigureOptions<Microsoft.Extensions.Http.HttpClientFactoryOptions>, HttpClientHardening>());
        services.TryAddSingleton(sp => new LlmCatalogProvider(sp.GetServices<ILlmConverter>(), sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(), sp.GetServices<ILlmRequestSigner>()));
        // The usage monitor starts with the telemetry, before any client exists, so it counts every call of the container.
        services.TryAddSingleton(sp => Observability.LlmTelemetry.WithUsageMonitor(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton(sp => sp.GetRequiredService<Observability.LlmTelemetry>().UsageMonitor!);
        services.TryAddSingleton<ILlmClientFactory>(sp => new LlmClientFactory(
            sp.GetRequiredService<LlmCatalogProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<LlmAdaptersOptions>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<Observability.LlmTelemetry>(),
            sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            sp.GetService<TimeProvider>()));

        // [FromKeyedServices("kimi")] ILlmClient / IChatClient: any key is a profile name.
        services.TryAddKeyedTransient<ILlmClient>(KeyedService.AnyKey, (sp, key) => sp.GetRequiredService<ILlmClientFactory>().CreateClient(ProfileName(key)));
        services.TryAddKeyedTransient<Microsoft.Extensions.AI.IChatClient>(KeyedService.AnyKey, (sp, key) => sp.GetRequiredService<ILlmClientFactory>().CreateClient(ProfileName(key)).AsIChatClient());
        // [FromKeyedServices("openai-embed")] IEmbeddingGenerator<string, Embedding<float>>: the profile's "embeddings" call.
        services.TryAddKeyedTransient<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>(KeyedService.AnyKey, (sp, key) => sp.GetRequiredService<ILlmClientFactory>().CreateClient(ProfileName(key)).AsIEmbeddingGenerator());
        return new LlmAdaptersBuilder(services);
    }
}
