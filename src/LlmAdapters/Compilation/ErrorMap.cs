using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Compilation;

/// <summary>Where a call's vendor error message and code live, and which 2xx responses are errors in disguise.</summary>
internal sealed class ErrorMap
{
    private static readonly KeyPath[] DefaultMessagePaths =
        [.. new[] { "error.message", "error", "message", "msg", "error_msg", "detail", "base_resp.status_msg", "errors[0].message" }.Select(KeyPath.Parse)];

    private static readonly KeyPath[] DefaultCodePaths =
        [.. new[] { "error.code", "error.type", "code", "error_code", "base_resp.status_code", "type" }.Select(KeyPath.Parse)];

    private readonly KeyPath[] _messagePaths;
    private readonly KeyPath[] _codePaths;
    private readonly JsonElement[] _okCodes;

    public ErrorMap(KeyPath? message, KeyPath? code, IReadOnlyList<JsonElement> okCodes, bool explicitlyDefined)
    {
        _messagePaths = message is not null ? [message] : explicitlyDefined ? [] : DefaultMessagePaths;
        _codePaths = code is not null ? [code] : explicitlyDefined ? [] : DefaultCodePaths;
        _okCodes = [.. okCodes];
        ChecksSuccessResponses = explicitlyDefined;
    }

    public static ErrorMap Default { get; } = new(null, null, [], false);

    /// <summary>True when the definition has an <c>error</c> key: then 2xx responses are checked for in-band errors.</summary>
    public bool ChecksSuccessResponses { get; }

    /// <summary>The explicit message path, when the definition names one (stream chunks are checked with it).</summary>
    public KeyPath? MessagePath => ChecksSuccessResponses && _messagePaths.Length > 0 ? _messagePaths[0] : null;

    /// <summary>The explicit code path, when the definition names one.</summary>
    public KeyPath? CodePath => ChecksSuccessResponses && _codePaths.Length > 0 ? _codePaths[0] : null;

    public (string? Message, string? Code) Extract(JsonElement root)
    {
        string? message = null;
        foreach (var path in _messagePaths)
        {
            if (path.TryEvaluate(root, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number && JsonValues.ToText(value) is { Length: > 0 } text)
            {
                message = text;
                break;
            }
        }

        string? code = null;
        foreach (var path in _codePaths)
        {
            if (path.TryEvaluate(root, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number && JsonValues.ToText(value) is { Length: > 0 } text)
            {
                code = text;
                break;
            }
        }

        return (message, code);
    }

    /// <summary>For a 2xx body: true when the body carries an error (a code not in <c>ok_codes</c>, or, without a code path, a non-empty message).</summary>
    public bool IsInBandError(JsonElement root)
    {
        if (!ChecksSuccessResponses)
        {
            return false;
        }

        var found = _codePaths.Length > 0 && _codePaths[0].TryEvaluate(root, out var code) ? code : default;
        var message = _messagePaths.Length > 0 && _messagePaths[0].TryEvaluate(root, out var m) ? m : default;
        return IsInBandError(found, message);
    }

    /// <summary>The in-band rule on values already found (default elements when not found): a code that is not an ok code is an error; without a code, a non-empty message is.</summary>
    public bool IsInBandError(JsonElement code, JsonElement message)
    {
        if (!ChecksSuccessResponses)
        {
            return false;
        }

        if (code.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            foreach (var ok in _okCodes)
            {
                if (JsonElementEquals(code, ok))
                {
                    return false;
                }
            }

            return true;
        }

        return message.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False)
            && !(message.ValueKind == JsonValueKind.String && message.GetString()!.Length == 0);
    }

    private static bool JsonElementEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDouble() == b.GetDouble();
        }

        return a.ValueKind == b.ValueKind && JsonValues.ToText(a) == JsonValues.ToText(b);
    }
}
