using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway;

/// <summary>How the gateway writes JSON: plain UTF-8, non-ASCII text as itself (no <c>\u4F60</c> escapes).</summary>
/// <remarks>
/// The relaxed encoder leaves HTML-sensitive characters unescaped; that is safe here because every JSON body is served as
/// <c>application/json</c> or <c>text/event-stream</c>, never embedded in HTML.
/// </remarks>
internal static class GatewayJson
{
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static readonly JsonSerializerOptions Serializer = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
