namespace LlmAdapters.Mapping;

/// <summary>
/// The one slot layout of a <see cref="JsonPathSet"/> over a response: each <c>resp</c> item's alternatives in order
/// (paths that <c>outOfBand</c> claims, such as SSE's <c>@event</c>, take no slot), then the extra paths (chunk filters;
/// a null entry takes a slot that is never found), then the error message paths, then the error code paths.
/// </summary>
/// <remarks>Built once per plan; immutable. Read the found values with <see cref="SlotValues"/>.</remarks>
internal sealed class SlotLayout
{
    public SlotLayout(ResponseMap response, ErrorMap error, IReadOnlyList<KeyPath?>? extra = null, Func<KeyPath, bool>? outOfBand = null)
    {
        var paths = new List<KeyPath?>();
        FieldSlots = new int[response.Fields.Length][];
        OutOfBandFields = new bool[response.Fields.Length];
        for (var i = 0; i < response.Fields.Length; i++)
        {
            var slots = new List<int>();
            foreach (var path in response.Fields[i].Paths)
            {
                if (outOfBand?.Invoke(path) == true)
                {
                    OutOfBandFields[i] = true;
                    continue;
                }

                slots.Add(paths.Count);
                paths.Add(path);
            }

            FieldSlots[i] = [.. slots];
        }

        ExtraSlot = paths.Count;
        paths.AddRange(extra ?? []);
        ErrorMessageSlots = [.. error.MessagePaths.Select((_, i) => paths.Count + i)];
        paths.AddRange(error.MessagePaths);
        ErrorCodeSlots = [.. error.CodePaths.Select((_, i) => paths.Count + i)];
        paths.AddRange(error.CodePaths);
        AllPaths = paths;
        Paths = JsonPathSet.Build(paths);
    }

    /// <summary>The merged paths, slot i answering <see cref="AllPaths"/>[i].</summary>
    public JsonPathSet Paths { get; }

    /// <summary>The path of every slot (null for a slot never found), for evaluation over a document when <see cref="JsonPathSet.NeedsDocument"/>.</summary>
    public IReadOnlyList<KeyPath?> AllPaths { get; }

    /// <summary>The slots of each item's alternatives, in order.</summary>
    public int[][] FieldSlots { get; }

    /// <summary>Items with an alternative that <c>outOfBand</c> claimed (read elsewhere when no slot finds a value).</summary>
    public bool[] OutOfBandFields { get; }

    /// <summary>The slot of the first extra path.</summary>
    public int ExtraSlot { get; }

    /// <summary>The slots of the error message path's alternatives.</summary>
    public int[] ErrorMessageSlots { get; }

    /// <summary>The slots of the error code path's alternatives.</summary>
    public int[] ErrorCodeSlots { get; }
}
