using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Mapping;

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

    /// <param name="message">The message path's alternatives (<c>a | b</c>); empty when not defined.</param>
    /// <param name="code">The code path's alternatives; empty when not defined.</param>
    /// <param name="okCodes">Code values that mean success in a 2xx response.</param>
    /// <param name="explicitlyDefined">Whether the call has an <c>error</c> key (else the default paths are tried, for non-2xx bodies only).</param>
    public ErrorMap(IReadOnlyList<KeyPath> message, IReadOnlyList<KeyPath> code, IReadOnlyList<JsonElement> okCodes, bool explicitlyDefined)
    {
        _messagePaths = message.Count > 0 ? [.. message] : explicitlyDefined ? [] : DefaultMessagePaths;
        _codePaths = code.Count > 0 ? [.. code] : explicitlyDefined ? [] : DefaultCodePaths;
        _okCodes = new JsonElement[okCodes.Count];
        for (var i = 0; i < _okCodes.Length; i++)
        {
            _okCodes[i] = okCodes[i];
        }
        ChecksSuccessResponses = explicitlyDefined;
    }

    public static ErrorMap Default { get; } = new([], [], [], false);

    /// <summary><c>retry_codes</c>: in-band error codes worth a retry (compared as text: <c>18</c> and <c>"18"</c> are the same code).</summary>
    public IReadOnlyList<JsonElement> RetryCodes { get; init; } = [];

    /// <summary>True when <paramref name="code"/> (an extracted vendor code) is one of <see cref="RetryCodes"/>.</summary>
    public bool IsRetryCode(string? code)
    {
        if (code is null)
        {
            return false;
        }

        foreach (var retry in RetryCodes)
        {
            if (TextOf(retry) == code)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the definition has an <c>error</c> key: then 2xx responses are checked for in-band errors.</summary>
    public bool ChecksSuccessResponses { get; }

    /// <summary>The explicit message path's alternatives (stream chunks are checked with them); empty without an <c>error</c> key.</summary>
    public IReadOnlyList<KeyPath> MessagePaths => ChecksSuccessResponses ? _messagePaths : [];

    /// <summary>The explicit code path's alternatives; empty without an <c>error</c> key.</summary>
    public IReadOnlyList<KeyPath> CodePaths => ChecksSuccessResponses ? _codePaths : [];

    /// <summary>The vendor's message and code; a value that is not text (invalid UTF-8 in a string) counts as not found.</summary>
    public (string? Message, string? Code) Extract(JsonElement root)
    {
        string? message = null;
        foreach (var path in _messagePaths)
        {
            if (path.TryEvaluate(root, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number && TextOf(value) is { Length: > 0 } text)
            {
                message = text;
                break;
            }
        }

        string? code = null;
        foreach (var path in _codePaths)
        {
            if (path.TryEvaluate(root, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number && TextOf(value) is { Length: > 0 } text)
            {
                code = text;
                break;
            }
        }

        return (message, code);
    }

    /// <summary>
    /// A failed async task's code: the first value at the definition's own <c>error</c> code path that is text and not one
    /// of its <c>ok_codes</c>; null without an <c>error</c> key (the default paths could pick up anything in a task's body).
    /// </summary>
    public string? FailureCode(JsonElement root)
    {
        foreach (var path in CodePaths)
        {
            if (path.TryEvaluate(root, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number && TextOf(value) is { Length: > 0 } text)
            {
                return _okCodes.Any(ok => JsonElementEquals(value, ok)) ? null : text;
            }
        }

        return null;
    }

    /// <summary>For a 2xx body: true when the body carries an error (a code not in <c>ok_codes</c>, or, without a code path, a non-empty message).</summary>
    public bool IsInBandError(JsonElement root)
    {
        if (!ChecksSuccessResponses)
        {
            return false;
        }

        return IsInBandError(First(_codePaths, root), First(_messagePaths, root));
    }

    private static JsonElement First(KeyPath[] paths, JsonElement root)
    {
        foreach (var path in paths)
        {
            if (path.TryEvaluate(root, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return value;
            }
        }

        return default;
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

        // Only text counts: a message path that lands on an object (Cohere's "message" is the answer) is not an error.
        // A message that is not text (invalid UTF-8) is not empty: it counts as an error, which is then reported as such.
        return (message.ValueKind == JsonValueKind.String && (TextOf(message) is not { Length: 0 })) || message.ValueKind == JsonValueKind.Number;
    }

    private static bool JsonElementEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDouble() == b.GetDouble();
        }

        return a.ValueKind == b.ValueKind && TextOf(a) is { } text && text == TextOf(b);
    }

    /// <summary>A value's text; null for a string that is not text (reading it would throw).</summary>
    private static string? TextOf(JsonElement value)
        => value.ValueKind != JsonValueKind.String || JsonValues.IsText(value) ? JsonValues.ToText(value) : null;
}
