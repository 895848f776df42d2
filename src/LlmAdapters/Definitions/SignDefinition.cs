namespace LlmAdapters.Definitions;

/// <summary>A call's <c>sign</c>: the signing scheme's name and the values of its parameters (templates, like header items).</summary>
/// <param name="Scheme">The scheme's name, such as <c>aws_sigv4</c>.</param>
/// <param name="Params">The parameter items; a parameter not given takes the variable of its name.</param>
/// <param name="Location">Where <c>sign</c> is written.</param>
internal sealed record SignDefinition(string Scheme, IReadOnlyList<ParameterItem> Params, SourceLocation Location);
