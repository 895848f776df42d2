using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmAdapters;

namespace Gateway;

/// <summary>An error in OpenAI's format, <c>{"error": {"message", "type", "param", "code"}}</c>, with its HTTP status.</summary>
internal sealed partial record OpenAiError(int Status, string Message, string Type, string? Code = null, string? Param = null, TimeSpan? RetryAfter = null)
{
    /// <summary>
    /// What an upstream failure becomes: the vendor's status and message; 502 when the vendor could not be reached or its
    /// stream broke. Never a 401 or 403 (that would read as "your gateway key is wrong": an upstream refusing its key is a
    /// 503, see <see cref="KeysUnusable"/>), and never the library's internals (definition files and lines).
    /// </summary>
    public static OpenAiError From(LlmException exception) => exception switch
    {
        LlmHttpException { StatusCode: 0 } e => new(502, $"The upstream could not be reached: {Clean(e.Message)}", "upstream_error", "upstream_unreachable"),
        LlmHttpException { StatusCode: 401 or 403 } e => new(503, $"The upstream refused the gateway's key ({e.StatusCode}: {Clean(e.VendorMessage ?? e.Message)}). The gateway's operator must fix its upstream keys.", "upstream_error", "upstream_keys_unusable"),
        LlmHttpException e => new(e.StatusCode, Clean(e.VendorMessage ?? e.Message), TypeFor(e.StatusCode), e.VendorCode, RetryAfter: e.RetryAfter),
        LlmRateLimitedException e => new(503, Clean(e.Message), "upstream_error", e.RetryAfter is null ? "upstream_keys_unusable" : "upstream_keys_resting", RetryAfter: e.RetryAfter),
        LlmStreamException e => new(502, Clean(e.VendorMessage ?? e.Message), "upstream_error", e.VendorCode ?? "stream_failed"),
        LlmTimeoutException e => new(504, Clean(e.Message), "upstream_error", "timeout"),
        LlmRequestException e => new(400, Clean(e.Message), "invalid_request_error"),
        LlmConfigurationException => new(500, "The gateway's configuration for this model is invalid; its operator finds the reason in the gateway's log.", "server_error", "configuration_error"),
        _ => new(502, Clean(exception.Message), "upstream_error"),
    };

    /// <summary>Every upstream key of the model (and of its fallbacks) is rejected or resting: 503, with Retry-After when a rest ends.</summary>
    public static OpenAiError KeysUnusable(string message, TimeSpan? retryAfter)
        => new(503, message, "upstream_error", retryAfter is null ? "upstream_keys_unusable" : "upstream_keys_resting", RetryAfter: retryAfter);

    public static OpenAiError Unauthorized() => new(401, "Incorrect API key provided: send Authorization: Bearer <one of the gateway's keys>.", "invalid_request_error", "invalid_api_key");

    public static OpenAiError BadRequest(string message, string? param = null, string? code = null) => new(400, message, "invalid_request_error", code, param);

    /// <summary>The 400 for a request body that is valid JSON but holds a string or name that is not text.</summary>
    public static OpenAiError BodyNotText() => BadRequest("The request body holds a string that is not text (invalid UTF-8, or half a surrogate pair).");

    /// <summary>
    /// Whether reading a parsed body threw because a string or name in it is not text: an escaped half of a surrogate pair
    /// (valid JSON) or invalid UTF-8, which System.Text.Json reports as an InvalidOperationException about UTF-8 or UTF-16.
    /// </summary>
    public static bool IsNotText(InvalidOperationException e) => e.Message.Contains("UTF-", StringComparison.Ordinal);

    /// <summary>A message without the library's internals: where a definition file says something (file, line, JSON path) is left out.</summary>
    public static string Clean(string message)
    {
        var text = ParenthesizedSite().Replace(message, "");
        text = PrepositionSite().Replace(text, "");
        return BareSite().Replace(text, "the adapter definition");
    }

    private static string TypeFor(int status) => status switch
    {
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "upstream_error",
    };

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", Message);
        writer.WriteString("type", Type);
        writer.WriteString("param", Param);
        writer.WriteString("code", Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes the error as the whole response (headers not yet sent).</summary>
    public async Task WriteResponseAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Writer))
        {
            WriteTo(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>" ((built-in) openai.json, line 5)", " (adapters/x.json:12)": a parenthesized definition site, one level of nesting inside.</summary>
    [GeneratedRegex("""\s*\((?:[^()]*\([^()]*\))*[^()]*\.json[^()]*\)""", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex ParenthesizedSite();

    /// <summary>" in adapters/x.json at $.chat.data[4]", " of /path/x.json, line 3": a definition site after a preposition.</summary>
    [GeneratedRegex("""\s+(?:in|at|of|from)\s+[^\s,'"]*\.json(?::\d+)?(?:,?\s*line\s+\d+)?(?:,?\s*column\s+\d+)?(?:\s+at\s+\$[^\s,:]*)?""", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex PrepositionSite();

    /// <summary>Any other file name ending in .json, with its line.</summary>
    [GeneratedRegex("""[^\s'"(),]*\.json(?::\d+)?(?:,?\s*line\s+\d+)?""", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex BareSite();
}
