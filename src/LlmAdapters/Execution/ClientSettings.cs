using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Execution;

/// <summary>A profile resolved once per client: variables as JSON, secrets collected, base URL checked.</summary>
internal sealed class ClientSettings : Observability.IObservedSettings
{
    public ClientSettings(string profileName, LlmProfile profile, TimeProvider timeProvider, Observability.LlmTelemetry? telemetry = null, Microsoft.Extensions.Logging.ILogger? logger = null, Reliability.KeyPool? keys = null)
    {
        Retry = profile.Retry.Clone();
        Keys = keys ?? Reliability.KeyPool.Create(profileName, profile);
        Telemetry = telemetry ?? Observability.LlmTelemetry.Default;
        Logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        ProfileName = profileName;
        RetryPolicy = new Reliability.RetryPolicy(Retry, Keys, timeProvider, Logger, profileName);
        BaseUrl = string.IsNullOrWhiteSpace(profile.BaseUrl) ? null : profile.BaseUrl.Trim().TrimEnd('/');
        var secrets = new List<string>(UrlText.UserInfoSecrets(BaseUrl));
        if (BaseUrl is not null)
        {
            if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUri))
            {
                throw new LlmConfigurationException($"The BaseUrl of profile '{profileName}' is not an absolute URL; write it like https://api.openai.com/v1.");
            }

            ServerAddress = baseUri.Host;
            ServerPort = baseUri.Port;
            BoxedServerPort = baseUri.Port;
        }

        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in profile.Variables)
        {
            if (value is null)
            {
                continue;
            }

            variables[name] = JsonValues.String(value);
            if (SecretRedactor.IsSecretName(name, profile.SecretVariables))
            {
                secrets.Add(value);
            }
        }

        if (BaseUrl is not null)
        {
            variables.TryAdd("base_url", JsonValues.String(BaseUrl));
        }

        // Plain collections, never changed after this: frozen ones cost a first client 10 to 17 ms to create (loading
        // System.Collections.Immutable and its generic code), for a handful of names looked up a few times per request.
        ProfileVariables = variables;
        ProfileModel = profile.Variables.TryGetValue("model", out var model) ? model : null;
        Redactor = new SecretRedactor(secrets.Concat(Reliability.KeyPool.Secrets(profile)));
        SecretVariableNames = profile.SecretVariables.Count == 0 ? null : new HashSet<string>(profile.SecretVariables, StringComparer.OrdinalIgnoreCase);
        Timeout = profile.Timeout <= TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : profile.Timeout;
        MaxResponseBytes = profile.MaxResponseBytes > 0 ? profile.MaxResponseBytes : long.MaxValue;
        StreamIdleTimeout = profile.StreamIdleTimeout <= TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : profile.StreamIdleTimeout;
        StreamTimeout = profile.StreamTimeout <= TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : profile.StreamTimeout;
        MaxStreamLineBytes = profile.MaxStreamLineBytes > 0 ? profile.MaxStreamLineBytes : 1024 * 1024;
        TimeProvider = timeProvider;
        Tokens = new Auth.TokenCache(timeProvider);
    }

    /// <summary>The tokens of the profile's token calls (<c>auth</c>), per credential, shared by every client created with these settings.</summary>
    public Auth.TokenCache Tokens { get; }

    public TimeSpan StreamIdleTimeout { get; }

    /// <summary>The bound of a whole stream; infinite when off.</summary>
    public TimeSpan StreamTimeout { get; }

    public LlmRetryOptions Retry { get; }

    /// <summary>The profile's retry policy, with the pipeline of each call built on first use and shared by every client created with these settings.</summary>
    public Reliability.RetryPolicy RetryPolicy { get; }

    /// <summary>The URL of each request plan whose path has no variables and no query, built on first use (see RequestBuilder).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<Compilation.RequestPlan, Uri> FixedUrls { get; } = new();

    /// <summary>The profile's several keys, when it has them.</summary>
    public Reliability.KeyPool? Keys { get; }

    public int MaxStreamLineBytes { get; }

    public string ProfileName { get; }

    public Observability.LlmTelemetry Telemetry { get; }

    public Microsoft.Extensions.Logging.ILogger Logger { get; }

    /// <summary>The vendor's host and port, for telemetry (server.address, server.port).</summary>
    public string? ServerAddress { get; }

    public int ServerPort { get; }

    /// <summary><see cref="ServerPort"/> boxed once, for telemetry tags (which take objects).</summary>
    public object? BoxedServerPort { get; }

    /// <summary>The profile's <c>model</c> variable, the request model of calls that name none.</summary>
    public string? ProfileModel { get; }

    public string? BaseUrl { get; }

    public IReadOnlyDictionary<string, JsonElement> ProfileVariables { get; }

    /// <summary>The profile's secrets: variables named like one or listed in SecretVariables, rotated keys, the BaseUrl's user info.</summary>
    public SecretRedactor Redactor { get; }

    /// <summary>The profile's <see cref="LlmProfile.SecretVariables"/>; null when it lists none.</summary>
    public IReadOnlyCollection<string>? SecretVariableNames { get; }

    public TimeSpan Timeout { get; }

    public long MaxResponseBytes { get; }

    public TimeProvider TimeProvider { get; }
}
