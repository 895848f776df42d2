using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>The call's <c>error</c> key: where the vendor's error message and code live in a response body.</summary>
/// <param name="MessagePath">Key path of the error message.</param>
/// <param name="CodePath">Key path of the error code or type.</param>
/// <param name="OkCodes">Code values that mean success in a 2xx response (default <c>0</c>, <c>"0"</c>, <c>""</c>).</param>
/// <param name="Location">Where the key is written.</param>
internal sealed record ErrorDefinition(string? MessagePath, string? CodePath, IReadOnlyList<JsonElement> OkCodes, SourceLocation Location)
{
    /// <summary><c>retry_codes</c>: in-band error codes (in a 2xx body or a stream) that are worth a retry, such as a rate-limit code.</summary>
    public IReadOnlyList<JsonElement> RetryCodes { get; init; } = [];
}
