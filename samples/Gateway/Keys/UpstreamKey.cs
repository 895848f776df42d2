namespace Gateway;

/// <summary>One upstream key of a profile: from configuration or added at run time, with what is known about it.</summary>
internal sealed record UpstreamKey(string Id, string Profile, string Key, bool Configured, KeyHealth Health, DateTimeOffset? Added)
{
    /// <summary>Never the key.</summary>
    public override string ToString() => $"{Id} ({Profile})";
}
