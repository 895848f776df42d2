namespace LlmAdapters.Mapping;

/// <summary>
/// A converter that can also read its text straight from a value's raw JSON, without building a JSON document: stream
/// decoding uses it for every chunk. Where it returns true, its text is exactly what
/// <see cref="ResponseMap.TextOf(System.Text.Json.JsonElement)"/> gives for <see cref="ILlmConverter.Convert"/>'s result on the same value (a
/// differential test holds the two paths to that); where it is unsure it returns false, and the value takes the
/// <see cref="System.Text.Json.JsonElement"/> path, which also reports what is wrong with it.
/// </summary>
internal interface IRawTextConverter : ILlmConverter
{
    /// <summary>
    /// Reads the text of <paramref name="json"/> (one whole, valid JSON value that is not null). With
    /// <paramref name="wantText"/> false only checks that the converter accepts the value (no string is made).
    /// </summary>
    /// <param name="json">The value.</param>
    /// <param name="wantText">False to check only.</param>
    /// <param name="text">
    /// The text, when <paramref name="wantText"/> (else an empty string); null, either way, when the converter gives JSON
    /// null for the value (whose text is then empty).
    /// </param>
    /// <param name="readEveryString">
    /// True when making the text decoded every string in the value (so each is known to be text: valid UTF-8, no half
    /// surrogate pair), and a check of the value's strings would find nothing more.
    /// </param>
    /// <param name="onlyText">
    /// True when the value holds one text and nothing else that a converter of the same values
    /// (<see cref="ReadsTheSameValuesAs"/>) reads (Gemini: one part with only a text), and <paramref name="text"/> is that
    /// text: such a converter then gives its own text of the value by <see cref="TextOfOnlyText"/>, without reading it.
    /// </param>
    bool TryConvertText(ReadOnlySpan<byte> json, bool wantText, out string? text, out bool readEveryString, out bool onlyText);

    /// <summary>
    /// This converter's text of a value that a converter reading the same values (<see cref="ReadsTheSameValuesAs"/>)
    /// found to hold only <paramref name="onlyText"/> (its <see cref="TryConvertText"/>'s <c>onlyText</c>): exactly what
    /// <see cref="TryConvertText"/> would give for that value (a differential test holds the two to that); null for
    /// JSON null.
    /// </summary>
    string? TextOfOnlyText(string onlyText);

    /// <summary>True when <see cref="ILlmConverter.Convert"/> always gives a JSON string (which is then the value's text).</summary>
    bool GivesString { get; }

    /// <summary>
    /// True when <see cref="TryConvertText"/> returns true for exactly the values for which <paramref name="other"/>'s does
    /// (two readings of one shape: Gemini's text and thoughts of the same parts), so that one's success on a value
    /// answers for the other's.
    /// </summary>
    bool ReadsTheSameValuesAs(IRawTextConverter other);
}
