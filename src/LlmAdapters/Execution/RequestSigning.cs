using LlmAdapters.Compilation;
using LlmAdapters.Templates;

namespace LlmAdapters.Execution;

/// <summary>
/// A request's signature, prepared when the request is built (the scheme's parameter values, the body bytes) and made when
/// it is sent (<see cref="SignAsync"/>, from <c>PlanRunner.SendOnceAsync</c>): every send, retries and redirects included,
/// is signed at its own time over its own URL.
/// </summary>
internal sealed class RequestSigning
{
    public static readonly HttpRequestOptionsKey<RequestSigning> Key = new("LlmAdapters.RequestSigning");

    private readonly ILlmRequestSigner _signer;
    private readonly IReadOnlyDictionary<string, string> _parameters;
    private readonly byte[] _body;

    private RequestSigning(ILlmRequestSigner signer, IReadOnlyDictionary<string, string> parameters, byte[] body)
    {
        _signer = signer;
        _parameters = parameters;
        _body = body;
    }

    /// <summary>The parameter values of <paramref name="sign"/> in <paramref name="scope"/>; a parameter without a value is left out.</summary>
    public static RequestSigning Prepare(SignPlan sign, VariableScope scope, byte[] body)
    {
        var values = new Dictionary<string, string>(sign.Parameters.Count, StringComparer.Ordinal);
        foreach (var parameter in sign.Parameters)
        {
            if (!parameter.IsPresent(scope) || (parameter.Value is InterpolatedTemplate t && t.AllOptionalMissing(scope)))
            {
                continue;
            }

            values[parameter.Name] = parameter.GetText(scope);
        }

        return new RequestSigning(sign.Signer, values, body);
    }

    /// <summary>Runs the scheme on <paramref name="request"/>. A failure is an <see cref="LlmRequestException"/> whose message is masked and which carries no inner exception (it could hold a secret).</summary>
    /// <returns>The call's redactor, with the secret parameters and what the scheme derived from them (a token); also set on the request for the errors of its response.</returns>
    public async Task<Internal.SecretRedactor> SignAsync(HttpRequestMessage request, DateTimeOffset now, CallPlan call, Internal.SecretRedactor redactor, CancellationToken cancellationToken)
    {
        // The parameters that are secrets by name are masked too, even when the profile does not know them as secrets.
        var masked = redactor.With(_parameters.Where(p => Internal.SecretRedactor.IsSecretName(p.Key, null)).Select(p => p.Value));
        var context = new LlmSigningContext(_signer.Name, request, _body, now, _parameters);
        try
        {
            await _signer.SignAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new LlmRequestException(masked.Redact(e is LlmException
                ? e.Message
                : $"The signing scheme '{_signer.Name}' of {call.DisplayName} could not sign the request ({e.GetType().Name}): {e.Message} Nothing was sent."));
        }

        if (context.DerivedSecrets is { } derived)
        {
            masked = masked.With(derived);
        }

        if (!ReferenceEquals(masked, redactor))
        {
            request.Options.Set(RequestBuilder.RedactorKey, masked);
        }

        return masked;
    }

    /// <summary>The scheme's name only: the parameter values may be secrets.</summary>
    public override string ToString() => $"sign with {_signer.Name}";
}
