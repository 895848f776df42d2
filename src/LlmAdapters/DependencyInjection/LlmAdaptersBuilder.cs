using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace LlmAdapters;

/// <summary>Configures LlmAdapters in a service collection: converters, profiles, adapter paths and each profile's <see cref="HttpClient"/>.</summary>
public sealed class LlmAdaptersBuilder
{
    internal LlmAdaptersBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection LlmAdapters is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The name of a profile's <see cref="HttpClient"/> in IHttpClientFactory: <c>LlmAdapters.&lt;profile&gt;</c>.</summary>
    public static string GetHttpClientName(string profile) => "LlmAdapters." + profile;

    /// <summary>Registers a converter definition items can name.</summary>
    public LlmAdaptersBuilder AddConverter(ILlmConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        Services.AddSingleton(converter);
        return this;
    }

    /// <summary>Registers a converter from a delegate.</summary>
    public LlmAdaptersBuilder AddConverter(string name, Func<JsonElement, JsonElement> convert) => AddConverter(LlmConverter.Create(name, convert));

    /// <summary>Registers a request-signing scheme that calls can name in <c>"sign"</c> (replacing a built-in of the same name).</summary>
    public LlmAdaptersBuilder AddSigner(ILlmRequestSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Services.AddSingleton(signer);
        return this;
    }

    /// <summary>Adds or changes a profile in code (after configuration is bound).</summary>
    public LlmAdaptersBuilder AddProfile(string name, Action<LlmProfile> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<LlmAdaptersOptions>(options =>
        {
            if (!options.Profiles.TryGetValue(name, out var profile))
            {
                profile = new LlmProfile();
                options.Profiles[name] = profile;
            }

            configure(profile);
        });
        return this;
    }

    /// <summary>Adds a folder or file of definition files.</summary>
    public LlmAdaptersBuilder AddAdapterPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Services.Configure<LlmAdaptersOptions>(options => options.AdapterPaths.Add(path));
        return this;
    }

    /// <summary>The <see cref="IHttpClientBuilder"/> of a profile's named client, to add handlers or replace the primary handler.</summary>
    public IHttpClientBuilder AddHttpClient(string profile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        return Services.AddHttpClient(GetHttpClientName(profile));
    }
}
