namespace LlmAdapters.Mapping;

/// <summary>
/// A cumulative stream's text so far, as of one chunk: the first <see cref="Count"/> pieces of the stream's
/// <see cref="PieceLog"/> (default: no text).
/// </summary>
/// <remarks>
/// Every update of a cumulative stream shows the whole text so far. The pieces it grew by are the strings that the
/// updates carry anyway, so keeping them once per stream, in order, costs a reference per update: the text itself is
/// joined only when an update's whole text is read.
/// </remarks>
internal readonly record struct TextSoFar(PieceLog? Log, int Count)
{
    /// <summary>The text: its pieces joined.</summary>
    public override string ToString() => Log is null ? string.Empty : Log.Join(Count);
}
