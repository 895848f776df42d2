namespace LlmAdapters.Signing;

/// <summary>The signing schemes a catalog knows, by name: the built-ins, then the user's (which may replace a built-in).</summary>
/// <remarks>
/// The built-ins are made per registry (per catalog): their token caches are not shared between catalogs. Each is made on
/// its first lookup, so that loading files that sign nothing does not pay for them (a cold start spent milliseconds on
/// their caches' generic code). Not thread-safe: one <see cref="LlmCatalogBuilder.Build"/> uses it.
/// </remarks>
internal sealed class SignerRegistry
{
    private static readonly string[] BuiltInNames = [JwtHs256Signer.SchemeName, AwsSigV4Signer.SchemeName];

    private readonly Dictionary<string, ILlmRequestSigner> _userSigners = new(StringComparer.Ordinal);

    private ILlmRequestSigner? _jwt;

    private ILlmRequestSigner? _aws;

    public SignerRegistry(IEnumerable<ILlmRequestSigner> userSigners)
    {
        foreach (var signer in userSigners)
        {
            _userSigners[signer.Name] = signer;
        }
    }

    /// <summary>True for the name of a built-in scheme (<c>jwt_hs256</c>, <c>aws_sigv4</c>).</summary>
    public static bool IsBuiltIn(string name) => Array.IndexOf(BuiltInNames, name) >= 0;

    /// <summary>The built-ins' names, then the user's that replace none.</summary>
    public IEnumerable<string> Names => BuiltInNames.Concat(_userSigners.Keys.Where(n => !IsBuiltIn(n)));

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmRequestSigner? signer)
    {
        if (_userSigners.TryGetValue(name, out signer))
        {
            return true;
        }

        signer = name switch
        {
            JwtHs256Signer.SchemeName => _jwt ??= new JwtHs256Signer(),
            AwsSigV4Signer.SchemeName => _aws ??= new AwsSigV4Signer(),
            _ => null,
        };
        return signer is not null;
    }
}
