namespace LlmAdapters;

/// <summary>Which adapter to use and the values its templates need: base URL, API key, model and any other variable.</summary>
/// <remarks>
/// A plain options class, bound from configuration (<c>LlmAdapters:Profiles:&lt;name&gt;</c>). Variables whose names contain a
/// word such as key, apikey, token, secret or password, and those listed in <see cref="SecretVariables"/>, are secrets:
/// their values are masked in every exception, log and trace. <see cref="ToString"/> never shows variable values.
/// </remarks>
public sealed class LlmProfile
{
    /// <summary>The adapter's <c>name</c> in its definition file, such as <c>openai</c>, or a preset's name, such as <c>deepseek</c> (see <see cref="LlmCatalog.Presets"/>): the preset then gives the adapter, the base URL and default variables, under this profile's own.</summary>
    public string Adapter { get; set; } = string.Empty;

    /// <summary>The vendor's base URL, such as <c>https://api.moonshot.cn/v1</c>; call paths are appended to it. Also the variable <c>${base_url}</c>. Optional when <see cref="Adapter"/> names a preset that has one.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Template variables such as <c>apikey</c> and <c>model</c>. Request values override these.</summary>
    public Dictionary<string, string?> Variables { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Names of further variables to treat as secrets, beyond those named like one.</summary>
    public List<string> SecretVariables { get; set; } = [];

    /// <summary>How long one call may take in all, 100 seconds by default. <see cref="Timeout"/> of <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The largest sync response body read, 32 MiB by default; a larger one is an error rather than an out-of-memory. It also
    /// bounds what <see cref="ILlmClient.CallAsync"/> keeps of a stream call (the joined text, and each joined item, in
    /// characters) and the pieces a stream joins into one item (such as reasoning): an endless stream fails instead of
    /// growing memory without bound.
    /// </summary>
    public long MaxResponseBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>For stream calls, the longest wait for the next bytes of the body, 100 seconds by default: a stalled stream fails instead of hanging. <see cref="Timeout"/> then bounds the wait for the response headers. The time the consumer spends on a chunk between reads is not a wait.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// For stream calls, how long the whole stream may take, from the request to its last byte; off
    /// (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>) by default, since a long answer can take minutes. When it
    /// expires the stream fails with an <see cref="LlmStreamException"/> (an <see cref="LlmTimeoutException"/> before the
    /// response headers) and the connection is closed.
    /// </summary>
    public TimeSpan StreamTimeout { get; set; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>The longest line (or SSE event, or JSON array element) of a stream, 1 MiB by default; a longer one is an error rather than an out-of-memory.</summary>
    public int MaxStreamLineBytes { get; set; } = 1024 * 1024;

    /// <summary>Several API keys to rotate through (round-robin), each filling <c>${apikey}</c>; overrides <c>Variables["apikey"]</c>. A key that gets 401/403 leaves the rotation; one that gets 429 rests for the time the vendor asked.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Several whole credential sets to rotate through (for example apikey + groupid), each a set of variables; used like <see cref="ApiKeys"/>.</summary>
    public List<Dictionary<string, string?>> Credentials { get; set; } = [];

    /// <summary>How failed requests are retried.</summary>
    public LlmRetryOptions Retry { get; set; } = new();

    /// <summary>Profiles to try, in order, when a call of this profile fails with a retryable error (network, 408, 429, 5xx); they may use other adapters.</summary>
    public List<string> Fallbacks { get; set; } = [];

    /// <summary>
    /// The adapter a preset was resolved to (<see cref="LlmCatalog.ResolveProfile"/>), so that resolving again, while
    /// <see cref="Adapter"/> still names it, changes nothing: a preset named like its adapter (<c>openai</c>) must not add
    /// its defaults to a profile another preset (<c>doubao</c>) already resolved.
    /// </summary>
    internal string? ResolvedAdapter { get; set; }

    /// <summary>Creates a deep copy, so that a client keeps the settings it was created with.</summary>
    public LlmProfile Clone() => new()
    {
        Adapter = Adapter,
        ResolvedAdapter = ResolvedAdapter,
        BaseUrl = BaseUrl,
        Variables = new Dictionary<string, string?>(Variables, StringComparer.Ordinal),
        SecretVariables = [.. SecretVariables],
        Fallbacks = [.. Fallbacks],
        ApiKeys = [.. ApiKeys],
        Credentials = [.. Credentials.Select(c => new Dictionary<string, string?>(c, StringComparer.Ordinal))],
        Retry = Retry.Clone(),
        Timeout = Timeout,
        MaxResponseBytes = MaxResponseBytes,
        StreamIdleTimeout = StreamIdleTimeout,
        StreamTimeout = StreamTimeout,
        MaxStreamLineBytes = MaxStreamLineBytes,
    };

    /// <summary>The adapter, base URL (without any <c>user:password@</c>) and variable names; never the values.</summary>
    public override string ToString() => $"adapter '{Adapter}' at {(BaseUrl is null ? "(no base URL)" : Internal.UrlText.WithoutUserInfo(BaseUrl))}, variables: {string.Join(", ", Variables.Keys)}";
}
