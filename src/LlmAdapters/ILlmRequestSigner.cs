namespace LlmAdapters;

/// <summary>A named request-signing scheme: computes a signature over the exact request that is about to be sent and adds it (usually as headers).</summary>
/// <remarks>
/// A call names its scheme with <c>"sign": "name"</c> or <c>"sign": { "scheme": "name", "params": [...] }</c>. The built-in
/// schemes are <c>jwt_hs256</c> and <c>aws_sigv4</c>; register your own through <c>LlmCatalogBuilder.AddSigner</c> or
/// <c>LlmAdaptersBuilder.AddSigner</c> (a registered scheme replaces a built-in of the same name); an unknown name is a
/// definition error at load.
/// <para>
/// <see cref="SignAsync"/> runs once per HTTP request, after the URL, headers and body are built from the templates and just
/// before it is sent: again on every retry and every followed redirect, so that time-based signatures are fresh. It must
/// replace (not add to) any header it set on an earlier request. Implementations must be thread-safe. Parameter values may
/// be secrets: never put them in an exception message, a log record or a <see cref="object.ToString"/>; an exception the
/// signer throws is reported as an <see cref="LlmRequestException"/> with its message masked, without the exception itself.
/// </para>
/// </remarks>
public interface ILlmRequestSigner
{
    /// <summary>The name definition files use in <c>"sign"</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The parameters the scheme reads. A definition's <c>params</c> may name only these; a parameter it does not give takes
    /// the variable of the same name when there is one (as the template <c>${name?}</c> would).
    /// </summary>
    IReadOnlyCollection<string> Parameters { get; }

    /// <summary>Signs <see cref="LlmSigningContext.Request"/>, whose body is <see cref="LlmSigningContext.Body"/>.</summary>
    /// <param name="context">The request, its body bytes, the time and the scheme's parameter values.</param>
    /// <param name="cancellationToken">Cancels the signing (and the call).</param>
    ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken);
}
