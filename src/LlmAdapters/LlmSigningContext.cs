namespace LlmAdapters;

/// <summary>What an <see cref="ILlmRequestSigner"/> signs: the request about to be sent, its exact body bytes, the time, and the scheme's parameter values.</summary>
/// <remarks>Made by the library for one signing; not thread-safe. <see cref="ToString"/> names the request, never a parameter value.</remarks>
public sealed class LlmSigningContext
{
    private readonly IReadOnlyDictionary<string, string> _parameters;

    internal LlmSigningContext(string scheme, HttpRequestMessage request, ReadOnlyMemory<byte> body, DateTimeOffset now, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Request = request;
        Body = body;
        Now = now;
        _parameters = parameters;
    }

    /// <summary>The name of the scheme being run.</summary>
    public string Scheme { get; }

    /// <summary>The request to sign: its URL, method and headers are final; add the signature to it.</summary>
    public HttpRequestMessage Request { get; }

    /// <summary>The bytes of the body exactly as they are sent; empty when the request has no body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The current time, from the client's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The value of a parameter, or null when the definition and the variables give it none (or an empty one).</summary>
    public string? GetParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
    }

    /// <summary>The value of a parameter the scheme cannot do without.</summary>
    /// <exception cref="LlmRequestException">The parameter has no value; the message names it (never a value).</exception>
    public string GetRequiredParameter(string name)
        => GetParameter(name) ?? throw new LlmRequestException($"The signing scheme '{Scheme}' needs its parameter '{name}', which has no value; give it in the call's \"sign\" params or as the variable '{name}'. Nothing was sent.");

    /// <summary>Credentials the scheme derived for this request (a bearer token made from a key), masked in every error of the call like the key itself.</summary>
    internal List<string>? DerivedSecrets { get; private set; }

    internal void AddDerivedSecret(string value) => (DerivedSecrets ??= []).Add(value);

    /// <summary>The scheme and the request's method and origin (no parameter values).</summary>
    public override string ToString() => $"{Scheme}: {Request.Method} {Internal.UrlText.Origin(Request.RequestUri!)}";
}
