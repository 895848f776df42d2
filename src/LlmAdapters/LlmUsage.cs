namespace LlmAdapters;

/// <summary>Token counts reported by the vendor.</summary>
/// <param name="InputTokens">Tokens in the prompt, when the vendor reports them.</param>
/// <param name="OutputTokens">Tokens generated, when the vendor reports them.</param>
/// <param name="TotalTokens">All tokens; the sum of the two when the vendor does not say.</param>
public sealed record LlmUsage(long? InputTokens, long? OutputTokens, long? TotalTokens);
