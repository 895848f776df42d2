using System.Collections.Frozen;

namespace LlmAdapters.Signing;

/// <summary>The signing schemes a catalog knows, by name: the built-ins, then the user's (which may replace a built-in).</summary>
/// <remarks>The built-ins are made per registry (per catalog): their token caches are not shared between catalogs.</remarks>
internal sealed class SignerRegistry
{
    private readonly FrozenDictionary<string, ILlmRequestSigner> _signers;

    public SignerRegistry(IEnumerable<ILlmRequestSigner> userSigners)
    {
        var all = new Dictionary<string, ILlmRequestSigner>(StringComparer.Ordinal)
        {
            [JwtHs256Signer.SchemeName] = new JwtHs256Signer(),
            [AwsSigV4Signer.SchemeName] = new AwsSigV4Signer(),
        };
        foreach (var signer in userSigners)
        {
            all[signer.Name] = signer;
        }

        _signers = all.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Names => _signers.Keys;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmRequestSigner? signer) => _signers.TryGetValue(name, out signer);
}
