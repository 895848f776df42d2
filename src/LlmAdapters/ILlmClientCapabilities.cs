namespace LlmAdapters;

/// <summary>
/// What the engine's own clients (<c>LlmClient</c>, <c>FallbackClient</c>) tell beyond <see cref="ILlmClient"/>: how a call
/// runs and whom it talks to. Asked by the IChatClient bridge for background responses and <c>ChatClientMetadata</c>.
/// </summary>
/// <remarks>Internal: a user's own <see cref="ILlmClient"/> does not implement it, and the bridge then falls back to plain calls.</remarks>
internal interface ILlmClientCapabilities
{
    /// <summary>
    /// The apitype the client runs <paramref name="call"/> with; null when it has no such call, or (a fallback chain) when
    /// its profiles do not all run the call the same way.
    /// </summary>
    LlmApiType? ApiTypeOf(string call);

    /// <summary>The provider: the adapter's name (the first profile's, for a fallback chain).</summary>
    string ProviderName { get; }

    /// <summary>The profile's BaseUrl without user info (never a secret), or null when the profile sets none.</summary>
    Uri? BaseUri { get; }

    /// <summary>The profile's <c>model</c> variable, or null.</summary>
    string? DefaultModel { get; }

    /// <summary>True when <paramref name="call"/>'s templates read <paramref name="variable"/> (for a fallback chain: every profile's do); null for an unknown call.</summary>
    bool? Reads(string call, string variable);
}
