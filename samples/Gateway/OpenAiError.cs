using System.Globalization;
using System.Text.Json;
using LlmAdapters;

namespace Gateway;

/// <summary>An error in OpenAI's format, <c>{"error": {"message", "type", "param", "code"}}</c>, with its HTTP status.</summary>
internal sealed record OpenAiError(int Status, string Message, string Type, string? Code = null, string? Param = null, TimeSpan? RetryAfter = null)
{
    /// <summary>What an upstream failure becomes: the vendor's status and message; 429 when every key rests; 502 when the vendor could not be reached or its stream broke.</summary>
    public static OpenAiError From(LlmException exception) => exception switch
    {
        LlmHttpException { StatusCode: 0 } e => new(502, $"The upstream could not be reached: {e.Message}", "upstream_error", "upstream_unreachable"),
        LlmHttpException e => new(e.StatusCode, e.VendorMessage ?? e.Message, TypeFor(e.StatusCode), e.VendorCode, RetryAfter: e.RetryAfter),
        LlmRateLimitedException e => new(429, e.Message, "rate_limit_error", "rate_limited", RetryAfter: e.RetryAfter),
        LlmStreamException e => new(502, e.VendorMessage ?? e.Message, "upstream_error", e.VendorCode ?? "stream_failed"),
        LlmTimeoutException e => new(504, e.Message, "upstream_error", "timeout"),
        LlmRequestException e => new(400, e.Message, "invalid_request_error"),
        LlmConfigurationException e => new(500, e.Message, "server_error", "configuration_error"),
        _ => new(502, exception.Message, "upstream_error"),
    };

    public static OpenAiError Unauthorized() => new(401, "Incorrect API key provided: send Authorization: Bearer <one of the gateway's keys>.", "invalid_request_error", "invalid_api_key");

    public static OpenAiError BadRequest(string message, string? param = null) => new(400, message, "invalid_request_error", null, param);

    private static string TypeFor(int status) => status switch
    {
        401 or 403 => "authentication_error",
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
        context.Response.ContentType = "application/json";
        if (RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            WriteTo(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
