using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>A call's <c>auth</c> key: the token call whose token the call's requests use.</summary>
internal static partial class DefinitionReader
{
    /// <summary>Every key <c>auth</c> may have. The JSON Schema in adapters/ lists the same keys.</summary>
    public static readonly IReadOnlyList<string> AuthKeys = ["path", "method", "params", "headers", "data", "token", "expires_in", "refresh_codes"];

    private sealed partial class Reader
    {
        private AuthDefinition? ReadAuth(JsonElement call, SourceLocation at, string name)
        {
            if (!call.TryGetProperty("auth", out var value))
            {
                return null;
            }

            var authAt = at.Child("auth", lines);
            if (value.ValueKind != JsonValueKind.Object)
            {
                Problem(authAt, $"\"auth\" must be an object {{\"path\": ..., \"params\": [...], \"token\": \"access_token\", ...}}, not a JSON {Kind(value)}");
                return null;
            }

            CheckKeys(value, authAt, AuthKeys, "\"auth\"");
            var path = value.TryGetProperty("path", out var p)
                ? RequireString(p, authAt.Child("path", lines), "the token call's URL or path, such as \"/oauth/2.0/token\"")
                : Missing<string>(authAt, "\"auth\" has no \"path\"; add the token call's URL or path, such as \"path\": \"/oauth/2.0/token\"");
            var token = value.TryGetProperty("token", out var t) ? RequireString(t, authAt.Child("token", lines), "the key path of the token in the answer, such as \"access_token\"") : "access_token";
            var expiresIn = value.TryGetProperty("expires_in", out var e) ? RequireString(e, authAt.Child("expires_in", lines), "the key path of the token's lifetime in seconds, such as \"expires_in\"") : "expires_in";
            var refresh = ReadCodes(value, authAt, "refresh_codes", "the in-band error codes that mean the token is no longer valid, such as [110, 111]") ?? [];
            var request = ReadRequest(value, authAt, $"{name}'s auth", path);
            return request is null || token is null || expiresIn is null ? null : new AuthDefinition(request, token, expiresIn, refresh, authAt);
        }
    }
}
