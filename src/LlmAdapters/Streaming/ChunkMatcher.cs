using System.Text;
using System.Text.RegularExpressions;
using LlmAdapters.Streaming;

namespace LlmAdapters.Streaming;

/// <summary>A compiled <c>chunk_match</c>: cuts the payload out of a line.</summary>
/// <remarks>
/// The common shape "literal + (.*)" (such as <c>data: (.*)</c>) is recognised and run on bytes with no regex and no
/// allocation: the payload is what follows the first occurrence of the literal, exactly what the regex would capture.
/// Any other pattern runs as a regex (linear-time or with a timeout) over the decoded line.
/// </remarks>
internal sealed class ChunkMatcher
{
    private readonly byte[]? _literal;
    private readonly bool _anchored;
    private readonly Regex? _regex;

    private ChunkMatcher(byte[]? literal, bool anchored, Regex? regex)
    {
        _literal = literal;
        _anchored = anchored;
        _regex = regex;
    }

    /// <summary>True when the pattern was recognised as a literal prefix and runs without a regex.</summary>
    public bool IsLiteralPrefix => _literal is not null;

    public static ChunkMatcher Create(string pattern, Regex regex)
        => TryCreateLiteral(pattern, out var literal) ? literal : new ChunkMatcher(null, false, regex);

    /// <summary>A matcher for the "literal(.*)" shape, without building a regex; false for any other pattern.</summary>
    public static bool TryCreateLiteral(string pattern, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChunkMatcher? matcher)
    {
        matcher = TryLiteralPrefix(pattern, out var literal, out var anchored) ? new ChunkMatcher(Encoding.UTF8.GetBytes(literal), anchored, null) : null;
        return matcher is not null;
    }

    /// <summary>Finds the payload in a line; false when the line does not match (it is skipped).</summary>
    /// <param name="line">The line's bytes, without its terminator.</param>
    /// <param name="payloadStart">Where the payload starts in <paramref name="line"/> (literal patterns).</param>
    /// <param name="payloadLength">The payload's length (literal patterns).</param>
    /// <param name="decoded">The payload as text, for regex patterns (null for literal patterns).</param>
    /// <exception cref="InvalidChunkException">The pattern ran longer than its match timeout on this line (a backtracking pattern on a long line).</exception>
    public bool TryMatch(ReadOnlySpan<byte> line, out int payloadStart, out int payloadLength, out string? decoded)
    {
        decoded = null;
        if (_literal is not null)
        {
            var at = _anchored ? (line.StartsWith(_literal) ? 0 : -1) : line.IndexOf(_literal);
            if (at < 0)
            {
                payloadStart = payloadLength = 0;
                return false;
            }

            payloadStart = at + _literal.Length;
            payloadLength = line.Length - payloadStart;
            return true;
        }

        payloadStart = payloadLength = 0;
        var text = Encoding.UTF8.GetString(line);
        Match match;
        try
        {
            match = _regex!.Match(text);
        }
        catch (RegexMatchTimeoutException e)
        {
            // The stream cannot go on without this line's payload: failing says so, where skipping the line would drop text.
            throw new InvalidChunkException(
                $"the chunk_match pattern '{e.Pattern}' timed out ({e.MatchTimeout.TotalMilliseconds:0} ms) on a line of {line.Length} bytes; make the pattern linear (no back-references or lookarounds) or use \"literal(.*)\"",
                inner: e);
        }

        if (!match.Success)
        {
            return false;
        }

        decoded = match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
        return true;
    }

    private static bool TryLiteralPrefix(string pattern, out string literal, out bool anchored)
    {
        literal = string.Empty;
        anchored = false;
        var p = pattern;
        if (p.StartsWith('^'))
        {
            anchored = true;
            p = p[1..];
        }

        if (p.EndsWith('$') && !p.EndsWith("\\$", StringComparison.Ordinal))
        {
            p = p[..^1];
        }

        if (!p.EndsWith("(.*)", StringComparison.Ordinal))
        {
            return false;
        }

        var sb = new StringBuilder();
        var body = p[..^4];
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\' && i + 1 < body.Length && !char.IsLetterOrDigit(body[i + 1]))
            {
                sb.Append(body[++i]); // an escaped metacharacter such as \. or \[
                continue;
            }

            if (c is '.' or '^' or '$' or '*' or '+' or '?' or '(' or ')' or '[' or ']' or '{' or '}' or '|' or '\\')
            {
                return false;
            }

            sb.Append(c);
        }

        literal = sb.ToString();
        return true;
    }
}
