using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace LlmAdapters.DependencyInjection;

/// <summary>
/// Makes the named clients of LlmAdapters (<c>LlmAdapters.&lt;profile&gt;</c>) safe to carry API keys: no request logging
/// by IHttpClientFactory, every header value redacted should a logger be added back, and no automatic redirects.
/// </summary>
/// <remarks>
/// <para>
/// IHttpClientFactory's default logging (categories <c>System.Net.Http.HttpClient.&lt;name&gt;.LogicalHandler</c> and
/// <c>.ClientHandler</c>) writes request URLs and, at Trace, every header value (Authorization, x-api-key) into the log
/// state. Redaction is not enough: <c>ShouldRedactHeaderValue</c> masks the formatted text only, the structured state
/// (what a structured sink exports) keeps the raw values. So the logging is removed, as <c>RemoveAllLoggers()</c> does;
/// profile names come from configuration and are not known when services are registered, so this applies to every client
/// whose name has the LlmAdapters prefix. An application that adds logging back (<c>AddDefaultLogger()</c> on
/// <c>AddHttpClient(profile)</c>) gets every header value masked in the formatted text, and takes the structured state on itself.
/// </para>
/// <para>
/// The primary handler's automatic redirects are turned off, after every other configuration (so also on a primary
/// handler the application sets): HttpClientHandler drops only the Authorization header on a redirect, and replays the
/// body of a 307/308 to any host. <see cref="Execution.Redirects"/> follows redirects within the vendor's origin instead.
/// </para>
/// </remarks>
internal sealed class HttpClientHardening : IConfigureNamedOptions<HttpClientFactoryOptions>, IPostConfigureOptions<HttpClientFactoryOptions>
{
    private const string Prefix = "LlmAdapters.";

    /// <summary>What <c>RemoveAllLoggers()</c> does to a client's options, taken from the method itself (its members are internal); null if it cannot be.</summary>
    private static readonly Action<HttpClientFactoryOptions>? RemoveAllLoggers = CaptureRemoveAllLoggers();

    /// <summary>Whether the factory's request logging is removed (false would leave it on, with every header value redacted).</summary>
    internal static bool RemovesLogging => RemoveAllLoggers is not null;

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        RemoveAllLoggers?.Invoke(options);
        options.ShouldRedactHeaderValue = static _ => true;
    }

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

    public void PostConfigure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        // Last of the builder actions: the primary handler is final by then, whoever set it.
        options.HttpMessageHandlerBuilderActions.Add(static builder => DisableAutoRedirect(builder.PrimaryHandler));
    }

    /// <summary>Turns off automatic redirects on the handlers that have them; a handler already in use keeps its setting (the library then refuses answers that come from another origin).</summary>
    internal static void DisableAutoRedirect(HttpMessageHandler? handler)
    {
        try
        {
            switch (handler)
            {
                case HttpClientHandler { AllowAutoRedirect: true } h:
                    h.AllowAutoRedirect = false;
                    break;
                case SocketsHttpHandler { AllowAutoRedirect: true } s:
                    s.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            // A handler instance shared with requests already sent can no longer be changed.
        }
    }

    private static Action<HttpClientFactoryOptions>? CaptureRemoveAllLoggers()
    {
        var services = new CapturedServices();
        new CapturedBuilder(services).RemoveAllLoggers();
        var actions = services.Select(d => d.ImplementationInstance).OfType<ConfigureNamedOptions<HttpClientFactoryOptions>>().Select(c => c.Action).ToList();
        return actions is [{ } action] ? action : null;
    }

    private sealed class CapturedServices : List<ServiceDescriptor>, IServiceCollection;

    private sealed class CapturedBuilder(IServiceCollection services) : IHttpClientBuilder
    {
        public string Name => Prefix;

        public IServiceCollection Services => services;
    }
}
