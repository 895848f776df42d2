using System.Text.Json;

namespace LlmAdapters.Definitions;

/// <summary>A call's <c>sign</c> key: the request-signing scheme and its parameters.</summary>
internal static partial class DefinitionReader
{
    /// <summary>Every key the object form of <c>sign</c> may have. The JSON Schema in adapters/ lists the same keys.</summary>
    public static readonly IReadOnlyList<string> SignKeys = ["scheme", "params"];

    private sealed partial class Reader
    {
        private SignDefinition? ReadSign(JsonElement call, SourceLocation at)
        {
            if (!call.TryGetProperty("sign", out var value))
            {
                return null;
            }

            var signAt = at.Child("sign", lines);
            if (value.ValueKind == JsonValueKind.String)
            {
                var name = value.GetString()!;
                if (name.Trim().Length == 0)
                {
                    Problem(signAt, "\"sign\" names no scheme; write one such as \"aws_sigv4\" or \"jwt_hs256\"");
                    return null;
                }

                return new SignDefinition(name, [], signAt);
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                Problem(signAt, $"\"sign\" must be a scheme name such as \"aws_sigv4\", or an object {{\"scheme\": ..., \"params\": [...]}}, not a JSON {Kind(value)}");
                return null;
            }

            CheckKeys(value, signAt, SignKeys, "\"sign\"");
            var scheme = value.TryGetProperty("scheme", out var s)
                ? RequireString(s, signAt.Child("scheme", lines), "a signing scheme such as \"aws_sigv4\"")
                : Missing<string>(signAt, "\"sign\" has no \"scheme\"; add one such as \"scheme\": \"aws_sigv4\"");
            var parameters = value.TryGetProperty("params", out var p) ? ReadItems(p, signAt.Child("params", lines), "params") : [];
            return scheme is null ? null : new SignDefinition(scheme, parameters, signAt);
        }
    }
}
