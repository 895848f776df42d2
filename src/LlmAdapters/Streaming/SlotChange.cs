namespace LlmAdapters.Streaming;

/// <summary>Which kind of kept value a slot is a path of (<see cref="StreamPlan.SlotChanges"/>): a chunk's changed slots, or-ed, say which kinds changed.</summary>
[Flags]
internal enum SlotChange : byte
{
    /// <summary>No kept value: the text (the update's own), a tool_call item (whose pieces are read per chunk), or no item.</summary>
    None = 0,

    /// <summary>A joined item's piece (read per chunk, but part of a chunk's snapshot).</summary>
    Joined = 1,

    /// <summary>A value kept as the chunk gives it.</summary>
    Set = 2,
}
