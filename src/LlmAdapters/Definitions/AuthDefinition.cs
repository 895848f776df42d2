using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>A call's <c>auth</c>: the token call (an OAuth client-credentials exchange) whose token the call's requests use as <c>${access_token}</c>.</summary>
/// <param name="Request">The token request: <c>path</c> (absolute, or relative to the profile's BaseUrl), <c>method</c>, <c>params</c>, <c>headers</c>, <c>data</c>.</param>
/// <param name="Token">The key path of the token in the token call's answer (default <c>access_token</c>).</param>
/// <param name="ExpiresIn">The key path of its lifetime in seconds (default <c>expires_in</c>).</param>
/// <param name="RefreshCodes">In-band error codes of the call that mean the token is no longer valid (Baidu's 110, 111).</param>
/// <param name="Location">Where <c>auth</c> is written.</param>
internal sealed record AuthDefinition(RequestDefinition Request, string Token, string ExpiresIn, IReadOnlyList<JsonElement> RefreshCodes, SourceLocation Location);
