namespace LlmAdapters.Cli.Tests.Converters;

/// <summary>A public type that is no converter: the loader passes it by.</summary>
public static class NotAConverter
{
    /// <summary>Nothing.</summary>
    public const string Name = "not a converter";
}
