using System.Text.RegularExpressions;

namespace LlmAdapters.Internal;

/// <summary>Compiles regular expressions from definition files, which are untrusted input: linear-time where the pattern allows, else with a match timeout.</summary>
internal static class SafeRegex
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public static Regex Create(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (NotSupportedException)
        {
            // Back-references, lookarounds and atomic groups need the backtracking engine; the timeout bounds it.
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
    }
}
