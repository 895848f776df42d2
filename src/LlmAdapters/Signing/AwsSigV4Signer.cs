namespace LlmAdapters.Signing;

/// <summary>
/// The <c>aws_sigv4</c> scheme: signs a request with AWS Signature Version 4 (<see cref="AwsSigV4"/>) in the
/// <c>Authorization</c> header, with <c>X-Amz-Date</c> and, for temporary credentials, <c>X-Amz-Security-Token</c>.
/// </summary>
/// <remarks>
/// Signed headers: host, content-type and content-length (when there is a body) and every <c>x-amz-*</c> header. The payload
/// hash is the SHA-256 of the exact body bytes; with <c>sign_body</c> true it is also sent as <c>x-amz-content-sha256</c>.
/// Parameters: <c>region</c>, <c>service</c>, <c>access_key_id</c>, <c>secret_access_key</c> (required), <c>session_token</c>,
/// <c>sign_body</c> (optional).
/// </remarks>
internal sealed class AwsSigV4Signer : ILlmRequestSigner
{
    public const string SchemeName = "aws_sigv4";

    public string Name => SchemeName;

    public IReadOnlyCollection<string> Parameters { get; } = ["region", "service", "access_key_id", "secret_access_key", "session_token", "sign_body"];

    public ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken)
    {
        var region = context.GetRequiredParameter("region");
        var service = context.GetRequiredParameter("service");
        var accessKeyId = context.GetRequiredParameter("access_key_id");
        var secret = context.GetRequiredParameter("secret_access_key");
        var sessionToken = context.GetParameter("session_token");
        var signBody = context.GetParameter("sign_body") is "true" or "1";

        var request = context.Request;
        var uri = request.RequestUri!;
        var headers = request.Headers;

        // A redirected or re-sent request carries the headers of its earlier signature: replaced, never doubled.
        headers.Remove("Authorization");
        headers.Remove("X-Amz-Date");
        headers.Remove("X-Amz-Security-Token");
        headers.Remove("X-Amz-Content-Sha256");

        var payloadHash = AwsSigV4.PayloadHash(context.Body.Span);
        headers.TryAddWithoutValidation("X-Amz-Date", AwsSigV4.AmzDate(context.Now));
        if (sessionToken is not null)
        {
            headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        }

        if (signBody)
        {
            headers.TryAddWithoutValidation("X-Amz-Content-Sha256", payloadHash);
        }

        var signed = new List<KeyValuePair<string, string>>
        {
            new("host", headers.Host ?? uri.Authority),
        };
        if (request.Content is { } content)
        {
            // Set here, so that the length signed is the length sent.
            content.Headers.ContentLength = context.Body.Length;
            signed.Add(new("content-length", context.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (content.Headers.ContentType is { } type)
            {
                signed.Add(new("content-type", AwsSigV4.CanonicalValue(type.ToString())));
            }
        }

        foreach (var header in headers)
        {
            if (header.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                signed.Add(new(header.Key.ToLowerInvariant(), string.Join(',', header.Value.Select(AwsSigV4.CanonicalValue))));
            }
        }

        signed.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var canonical = AwsSigV4.CanonicalRequest(request.Method.Method, uri, signed, payloadHash);
        var scope = AwsSigV4.Scope(context.Now, region, service);
        var signature = AwsSigV4.Signature(secret, context.Now, region, service, AwsSigV4.StringToSign(context.Now, scope, canonical));
        headers.TryAddWithoutValidation("Authorization", AwsSigV4.Authorization(accessKeyId, scope, AwsSigV4.SignedHeaders(signed), signature));
        return ValueTask.CompletedTask;
    }

    public override string ToString() => SchemeName;
}
