using LlmAdapters.Templates;

namespace LlmAdapters.Compilation;

/// <summary>How a call's requests are signed: the scheme, and a template for each of its parameters.</summary>
/// <param name="Signer">The scheme (built-in or registered).</param>
/// <param name="Parameters">One item per parameter of the scheme: the definition's, else <c>${name?}</c>.</param>
internal sealed record SignPlan(ILlmRequestSigner Signer, IReadOnlyList<CompiledParameter> Parameters)
{
    public IEnumerable<string> VariableNames
    {
        get
        {
            var names = new List<string>();
            CompiledParameter.AddNames(names, Parameters, requiredOnly: false);
            return names;
        }
    }
}
