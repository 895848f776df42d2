using System.Text.Json;

namespace LlmAdapters.Mapping;

/// <summary>
/// A compiled <c>tool_call</c> key of a <c>resp</c> item: where a tool call's key, id, name and arguments lie inside each
/// object the item's path finds (an array of them, or one).
/// </summary>
/// <remarks>Immutable and thread-safe. The paths are relative to each object; <see cref="Index"/> and <see cref="Id"/> are optional.</remarks>
internal sealed class ToolCallPaths(KeyPath? index, KeyPath? id, KeyPath name, KeyPath arguments)
{
    // The last key of the id, name and arguments paths, quoted as JSON writes it; null when one cannot be searched for so.
    private readonly byte[][]? _lastKeys = LastKeys(id, name, arguments);

    // The characters of those keys, what an escape must spell to matter: [c] for ASCII, [128] for any other.
    private readonly bool[] _keyChars = KeyChars(LastKeys(id, name, arguments));

    /// <summary>Where the key is that pieces of one streamed call share (OpenAI's <c>index</c>); null when each object with a name starts a new call.</summary>
    public KeyPath? Index { get; } = index;

    /// <summary>The call's id; null when the vendor gives none (ids are then made: <c>call_0</c>, <c>call_1</c>, ...).</summary>
    public KeyPath? Id { get; } = id;

    public KeyPath Name { get; } = name;

    /// <summary>The arguments: a string of JSON (pieces of it are joined in streams), or a JSON object.</summary>
    public KeyPath Arguments { get; } = arguments;

    /// <summary>
    /// False when <paramref name="rawJson"/> (a valid JSON value) cannot hold a piece of a call: none of the id, name and
    /// arguments paths' last keys occurs in it as a quoted name, and it has no <c>\u</c> escape of a character of one. Then
    /// no object in it has any of the three, and reading it would add nothing: a stream's text chunks are passed over
    /// without a document.
    /// </summary>
    public bool MayHoldCall(ReadOnlySpan<byte> rawJson)
    {
        if (_lastKeys is null)
        {
            return true;
        }

        foreach (var key in _lastKeys)
        {
            if (rawJson.IndexOf(key) >= 0)
            {
                return true;
            }
        }

        // An escape can spell a key only with a character of one: text escaped as \uXXXX (non-ASCII text from servers
        // that escape it, quotes, line breaks) cannot when the keys are ASCII, so a chunk of such text is still passed over.
        var rest = rawJson;
        while (rest.IndexOf("\\u"u8) is var at and >= 0)
        {
            if (at + 6 > rest.Length || !TryHex4(rest.Slice(at + 2, 4), out var c) || _keyChars[Math.Min(c, 128)])
            {
                return true;
            }

            rest = rest[(at + 2)..];
        }

        return false;
    }

    private static bool TryHex4(ReadOnlySpan<byte> hex, out int value)
    {
        value = 0;
        foreach (var b in hex)
        {
            var digit = b is >= (byte)'0' and <= (byte)'9' ? b - '0' : (b | 0x20) is >= 'a' and <= 'f' ? (b | 0x20) - 'a' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value * 16) + digit;
        }

        return true;
    }

    private static bool[] KeyChars(byte[][]? keys)
    {
        var chars = new bool[129];
        foreach (var key in keys ?? [])
        {
            foreach (var b in key.AsSpan(1, key.Length - 2))
            {
                chars[Math.Min((int)b, 128)] = true;
            }
        }

        return chars;
    }

    private static byte[][]? LastKeys(params KeyPath?[] paths)
    {
        var keys = new List<byte[]>();
        foreach (var path in paths)
        {
            if (path is null)
            {
                continue;
            }

            if (path.Depth == 0 || path.Segments[^1].Name is not { } name || name.Any(c => c is '"' or '\\' or < ' '))
            {
                return null; // the whole fragment, an index, or a key JSON must escape: always read
            }

            keys.Add(System.Text.Encoding.UTF8.GetBytes("\"" + name + "\""));
        }

        return [.. keys];
    }

    /// <summary>The value at <paramref name="path"/> in <paramref name="fragment"/>, when it is there and not null.</summary>
    public static bool TryGet(KeyPath? path, JsonElement fragment, out JsonElement value)
    {
        if (path is not null && path.TryEvaluate(fragment, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            return true;
        }

        value = default;
        return false;
    }
}
