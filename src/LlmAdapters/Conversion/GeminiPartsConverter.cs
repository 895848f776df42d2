using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Conversion;

/// <summary>
/// <c>gemini_text</c> / <c>gemini_thoughts</c>: the text of a Gemini candidate's <c>parts</c>, joined: the parts without
/// <c>"thought": true</c>, or only those with it. Parts that are not objects with a string <c>text</c> are skipped; as in
/// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>, the last of duplicate keys counts. No thought parts
/// gives null for <c>gemini_thoughts</c> and an empty text for <c>gemini_text</c>.
/// </summary>
internal sealed class GeminiPartsConverter(string name, bool thoughts) : IRawTextConverter
{
    public string Name { get; } = name;

    /// <inheritdoc />
    public bool GivesString => !thoughts;

    /// <inheritdoc />
    /// <remarks>Both readings take any list (and decline anything else) by the same code; they differ only in which parts they join.</remarks>
    public bool ReadsTheSameValuesAs(IRawTextConverter other) => other is GeminiPartsConverter;

    public JsonElement Convert(JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return value;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{Name} takes a list of text parts [{{\"text\": ...}}] (Gemini parts, Bedrock content blocks), not a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
        }

        var sb = new StringBuilder();
        var any = false;
        foreach (var part in value.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("text"u8, out var text) || text.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var isThought = part.TryGetProperty("thought"u8, out var t) && t.ValueKind == JsonValueKind.True;
            if (isThought == thoughts)
            {
                sb.Append(text.GetString());
                any = true;
            }
        }

        return thoughts && !any ? JsonValues.Null : JsonValues.String(sb.ToString());
    }

    public bool TryConvertText(ReadOnlySpan<byte> json, bool wantText, out string? text, out bool readEveryString, out bool onlyText)
    {
        text = null;
        readEveryString = false;
        onlyText = false;
        if (OnlyTextPart(json) is { Length: > 0 } only)
        {
            // The usual stream chunk: one part with only a text, so no thought: no JSON reader for it.
            if (thoughts || !wantText)
            {
                text = thoughts ? null : string.Empty; // no thought part: gemini_thoughts gives JSON null
                return true;
            }

            text = TextOfOnlyText(JsonStrings.Decode(only));
            readEveryString = true;
            onlyText = true;
            return true;
        }

        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return false; // the JsonElement path says what is wrong
        }

        string? first = null;
        StringBuilder? more = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? partText = null;
            var isThought = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    partText = reader.TokenType == JsonTokenType.String ? (wantText ? reader.GetString() : string.Empty) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("thought"u8))
                {
                    reader.Read();
                    isThought = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (partText is not null && isThought == thoughts)
            {
                if (first is null)
                {
                    first = partText;
                }
                else
                {
                    (more ??= new StringBuilder(first)).Append(partText);
                }
            }
        }

        // No part of the kind: JSON null for gemini_thoughts, an empty text for gemini_text (as Convert gives them).
        text = thoughts && first is null ? null : wantText ? more?.ToString() ?? first ?? string.Empty : string.Empty;
        return true;
    }

    /// <inheritdoc />
    /// <remarks>One part with only a text and no <c>thought</c>: that text for <c>gemini_text</c>, JSON null for <c>gemini_thoughts</c>.</remarks>
    public string? TextOfOnlyText(string onlyText) => thoughts ? null : onlyText;

    /// <summary>
    /// The string token (quotes included) when <paramref name="json"/>, a valid JSON value, is exactly
    /// <c>[{"text": "..."}]</c> (white space allowed between tokens); empty otherwise.
    /// </summary>
    private static ReadOnlySpan<byte> OnlyTextPart(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("[{\"text\":\""u8) && json.EndsWith("\"}]"u8) && JsonStrings.EndOfString(json, 9) == json.Length - 2)
        {
            // As the API sends it, without white space: the string ends where the value does.
            return json[9..^2];
        }

        var pos = JsonStrings.SkipWhiteSpace(json, 0);
        if (!Next(json, ref pos, (byte)'[') || !Next(json, ref pos, (byte)'{') || !json[pos..].StartsWith("\"text\""u8))
        {
            return default;
        }

        pos = JsonStrings.SkipWhiteSpace(json, pos + 6);
        if (!Next(json, ref pos, (byte)':') || pos >= json.Length || json[pos] != (byte)'"')
        {
            return default;
        }

        var start = pos;
        var end = JsonStrings.EndOfString(json, start);
        if (end < 0)
        {
            return default;
        }

        pos = JsonStrings.SkipWhiteSpace(json, end);
        if (!Next(json, ref pos, (byte)'}') || !Next(json, ref pos, (byte)']') || pos != json.Length)
        {
            return default;
        }

        return json[start..end];

        static bool Next(ReadOnlySpan<byte> json, ref int pos, byte token)
        {
            if (pos >= json.Length || json[pos] != token)
            {
                return false;
            }

            pos = JsonStrings.SkipWhiteSpace(json, pos + 1);
            return true;
        }
    }
}
