using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmAdapters.Compilation;

namespace LlmAdapters.Execution;

/// <summary>Turns an error response into an <see cref="LlmHttpException"/> with the vendor's message and code, secrets masked.</summary>
internal static class HttpErrors
{
    /// <summary>How much of an error body is read: enough for any vendor's error JSON, bounded against hostile bodies.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    public const int ExcerptChars = 500;

    /// <summary>The error of a non-2xx response; <paramref name="redactor"/> (the call's, when it has secrets of its own) masks secrets, else the profile's.</summary>
    public static async Task<LlmHttpException> FromResponseAsync(HttpResponseMessage response, CallPlan call, ClientSettings settings, CancellationToken cancellationToken, Internal.SecretRedactor? redactor = null)
    {
        byte[] body;
        string? readFailure = null;
        try
        {
            body = await ReadPrefixAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The status is the vendor's answer and stays what decides a retry; the body is lost with the connection.
            body = [];
            readFailure = (redactor ?? settings.Redactor).Redact(e.Message);
        }

        var text = Encoding.UTF8.GetString(body);
        string? message = null;
        string? code = null;
        TimeSpan? bodyDelay = null;
        var isText = true;
        if (TryParse(body, out var document))
        {
            using (document)
            {
                // A message or code that is not text is left out (reading it would throw); the error then says why.
                (message, code) = call.Error.Extract(document.RootElement);
                bodyDelay = RetryDelayInBody(document.RootElement);
                isText = Internal.JsonValues.IsText(body);
            }
        }
        else
        {
            isText = System.Text.Unicode.Utf8.IsValid(body);
        }

        // AWS restJson1 services (Bedrock) name the error's type in a header, not the body: "ValidationException:http://...".
        if (code is null && response.Headers.TryGetValues("x-amzn-ErrorType", out var errorTypes) && errorTypes.FirstOrDefault() is { Length: > 0 } errorType)
        {
            code = errorType.Split(':', 2)[0];
        }

        var reason = readFailure is not null ? $"{response.ReasonPhrase} (the connection failed while reading its body: {readFailure})"
            : isText ? response.ReasonPhrase
            : $"{response.ReasonPhrase} (its body is not valid text: invalid UTF-8 or half a surrogate pair)";
        return Create((int)response.StatusCode, reason, message, code, text, RetryAfter(response.Headers, settings.TimeProvider) ?? bodyDelay, call, settings, redactor, ShouldRetry(response.Headers));
    }

    /// <summary>The vendor's <c>x-should-retry</c> header (as the OpenAI and Anthropic SDKs read it): true or false; null when absent or anything else.</summary>
    public static bool? ShouldRetry(HttpResponseHeaders headers)
    {
        if (!headers.TryGetValues("x-should-retry", out var values))
        {
            return null;
        }

        var value = values.FirstOrDefault()?.Trim();
        return string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? true
            : string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) ? false
            : null;
    }

    /// <summary>The suffix of the <c>@type</c> of Google's RetryInfo detail (<c>type.googleapis.com/google.rpc.RetryInfo</c>).</summary>
    private const string RetryInfoType = "google.rpc.RetryInfo";

    /// <summary>
    /// A retry delay carried in the body: a <c>google.rpc.RetryInfo</c> detail in <c>error.details</c> (Gemini, Vertex AI
    /// and other Google APIs), whose <c>retryDelay</c> is a protobuf Duration such as <c>"30s"</c> or <c>"1.5s"</c>;
    /// clamped to <see cref="MaxRetryAfter"/> like Retry-After. Null when the body has none, or one that is not a Duration.
    /// </summary>
    public static TimeSpan? RetryDelayInBody(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !Internal.JsonNames.TryGetProperty(root, "error"u8, out var error) || error.ValueKind != JsonValueKind.Object
            || !Internal.JsonNames.TryGetProperty(error, "details"u8, out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var detail in details.EnumerateArray())
        {
            if (detail.ValueKind == JsonValueKind.Object
                && Internal.JsonNames.TryGetProperty(detail, "@type"u8, out var type) && type.ValueKind == JsonValueKind.String && Internal.JsonValues.IsText(type)
                && type.GetString()!.EndsWith(RetryInfoType, StringComparison.Ordinal)
                && Internal.JsonNames.TryGetProperty(detail, "retryDelay"u8, out var delay) && delay.ValueKind == JsonValueKind.String && Internal.JsonValues.IsText(delay))
            {
                return ParseDuration(delay.GetString()!);
            }
        }

        return null;
    }

    /// <summary>A protobuf Duration in JSON (<c>"30s"</c>, <c>"0.250s"</c>): seconds with an <c>s</c>; null for anything else or a negative value.</summary>
    private static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2 || text[^1] != 's'
            || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || double.IsNaN(seconds) || seconds < 0)
        {
            return null;
        }

        return seconds >= MaxRetryAfter.TotalSeconds ? MaxRetryAfter : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The error for a status, reason phrase, vendor message and code, and body; every text that came from the vendor
    /// (the reason phrase too: a hostile server can echo the key in it) is redacted by <paramref name="redactor"/>, or by the profile's.
    /// </summary>
    public static LlmHttpException Create(int status, string? reason, string? vendorMessage, string? vendorCode, string? body, TimeSpan? retryAfter, CallPlan call, ClientSettings settings, Internal.SecretRedactor? redactor = null, bool? shouldRetry = null)
    {
        // An in-band code the definition lists in retry_codes is worth a retry, whatever the status says.
        if (shouldRetry is null && call.Error.IsRetryCode(vendorCode))
        {
            shouldRetry = true;
        }

        redactor ??= settings.Redactor;
        reason = reason is null ? null : redactor.Redact(reason);
        vendorMessage = vendorMessage is null ? null : redactor.Redact(vendorMessage);
        vendorCode = vendorCode is null ? null : redactor.Redact(vendorCode);
        var excerpt = body is null ? null : redactor.Redact(body.Length > ExcerptChars ? body[..ExcerptChars] + "…" : body);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"The vendor answered {status}");
        if (!string.IsNullOrEmpty(reason))
        {
            sb.Append(' ').Append(reason);
        }

        sb.Append(CultureInfo.InvariantCulture, $" to {call.DisplayName} for profile '{settings.ProfileName}'");
        if (vendorMessage is not null)
        {
            sb.Append(": ").Append(vendorMessage);
        }

        if (vendorCode is not null)
        {
            sb.Append(" (code ").Append(vendorCode).Append(')');
        }

        sb.Append('.');
        sb.Append(status switch
        {
            401 or 403 => " Check the profile's API key.",
            404 => " Check the profile's BaseUrl, the call's path and the model name.",
            429 => retryAfter is { } wait ? $" The vendor asks to wait {wait.TotalSeconds:0.###} s before retrying." : " The vendor is rate limiting; retry later.",
            529 => " The vendor is overloaded; retrying later may succeed.",
            >= 500 => " The vendor failed; retrying later may succeed.",
            _ => string.Empty,
        });
        if (vendorMessage is null && !string.IsNullOrWhiteSpace(excerpt))
        {
            sb.Append(" Response: ").Append(excerpt);
        }

        return new LlmHttpException(sb.ToString(), status, vendorMessage, vendorCode, excerpt, retryAfter) { ShouldRetry = shouldRetry };
    }

    /// <summary>The longest wait taken from a vendor's Retry-After or retry-after-ms: a longer one (even 1e30 ms) is taken as this.</summary>
    /// <remarks>Far longer than any retry policy waits (MaxRetryAfter fails such a call at once), and small enough that "now + wait" never overflows.</remarks>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>Reads Retry-After (seconds or HTTP date) or retry-after-ms, clamped to <see cref="MaxRetryAfter"/>; null when absent or not a number of milliseconds, seconds or a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, TimeProvider time)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            // Compared as a double: TimeSpan.FromMilliseconds overflows for values beyond about 29,000 years (and for infinity).
            return milliseconds >= MaxRetryAfter.TotalMilliseconds ? MaxRetryAfter : TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta > MaxRetryAfter ? MaxRetryAfter : delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - time.GetUtcNow();
                return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
            }
        }

        return null;
    }

    public static bool TryParse(ReadOnlyMemory<byte> body, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        document = null;
        var span = body.Span.TrimStart(" \t\r\n"u8);
        if (span.IsEmpty || (span[0] != (byte)'{' && span[0] != (byte)'['))
        {
            return false;
        }

        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses a body into a standalone value (its own copy of the bytes, nothing pooled to return): the values found in
    /// it by path can be kept without cloning each one. False when the body is not one JSON object or array.
    /// </summary>
    public static bool TryParseValue(ReadOnlySpan<byte> body, out JsonElement root)
    {
        root = default;
        var span = body.TrimStart(" \t\r\n"u8);
        if (span.IsEmpty || (span[0] != (byte)'{' && span[0] != (byte)'['))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 128 });
            root = JsonElement.ParseValue(ref reader);
            return !reader.Read(); // anything after the value (but white space) makes it not JSON, as JsonDocument.Parse says
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static async Task<byte[]> ReadPrefixAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var length = content.Headers.ContentLength;
            var buffer = new byte[(int)Math.Clamp(length ?? 4096, 256, maxBytes)];
            var total = 0;
            while (total < maxBytes)
            {
                if (total == length)
                {
                    break; // the whole body, as announced: no bigger buffer for a read that can only return 0
                }

                if (total == buffer.Length)
                {
                    Array.Resize(ref buffer, Math.Min(maxBytes, buffer.Length * 2));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(total, buffer.Length - total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total == buffer.Length ? buffer : buffer[..total];
        }
    }
}
