using System.Security.Cryptography;
using System.Text;

namespace LlmAdapters.Signing;

/// <summary>
/// AWS Signature Version 4 (HMAC-SHA256): the canonical request, the string to sign, the signing key and the signature, as
/// specified in https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html and checked against the AWS
/// SigV4 test suite (aws-c-auth tests/aws-signing-test-suite/v4).
/// </summary>
/// <remarks>For every service but S3: path segments of the (already escaped) URL path are escaped again, as the suite's <c>normalize</c> cases do.</remarks>
internal static class AwsSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The canonical request of a request whose headers are already lower-cased, trimmed and sorted.</summary>
    public static string CanonicalRequest(string method, Uri uri, IReadOnlyList<KeyValuePair<string, string>> sortedHeaders, string payloadHash)
    {
        var sb = new StringBuilder(256);
        sb.Append(method).Append('\n');
        sb.Append(CanonicalUri(uri)).Append('\n');
        sb.Append(CanonicalQuery(uri)).Append('\n');
        foreach (var (name, value) in sortedHeaders)
        {
            sb.Append(name).Append(':').Append(value).Append('\n');
        }

        sb.Append('\n');
        sb.Append(SignedHeaders(sortedHeaders)).Append('\n');
        sb.Append(payloadHash);
        return sb.ToString();
    }

    public static string SignedHeaders(IReadOnlyList<KeyValuePair<string, string>> sortedHeaders)
        => string.Join(';', sortedHeaders.Select(h => h.Key));

    public static string Scope(DateTimeOffset time, string region, string service)
        => $"{time.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";

    public static string AmzDate(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string StringToSign(DateTimeOffset time, string scope, string canonicalRequest)
        => $"{Algorithm}\n{AmzDate(time)}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>The signature: HMAC of the string to sign under the key derived from the secret, date, region and service.</summary>
    public static string Signature(string secretAccessKey, DateTimeOffset time, string region, string service, string stringToSign)
    {
        var date = time.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static string Authorization(string accessKeyId, string scope, string signedHeaders, string signature)
        => $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";

    public static string PayloadHash(ReadOnlySpan<byte> body) => Hex(SHA256.HashData(body));

    /// <summary>The header value as signed: trimmed, runs of spaces made one.</summary>
    public static string CanonicalValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var sb = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c == ' ')
            {
                if (!space)
                {
                    sb.Append(c);
                }

                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }

        return sb.ToString();
    }

    /// <summary>The path with dot segments and empty segments removed, each segment escaped again (AWS escaping).</summary>
    private static string CanonicalUri(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0 || path == "/")
        {
            return "/";
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            switch (segment)
            {
                case "":
                case ".":
                    continue;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    continue;
                default:
                    segments.Add(Escape(segment));
                    break;
            }
        }

        var canonical = "/" + string.Join('/', segments);
        return path.EndsWith('/') && segments.Count > 0 ? canonical + "/" : canonical;
    }

    /// <summary>The query's parameters, unescaped then escaped the AWS way, sorted by name then value.</summary>
    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query;
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query[1..].Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            pairs.Add((Escape(Uri.UnescapeDataString(name)), Escape(Uri.UnescapeDataString(value))));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>AWS URI escaping: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex).</summary>
    private static string Escape(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
