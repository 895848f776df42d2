namespace LlmAdapters.Testing;

/// <summary>How a loopback server splits a body into writes (each write is flushed), to show what a mock hides: split lines, events and UTF-8 characters.</summary>
/// <remarks>Linked into every test project that serves streams (tests/Shared is not a project of its own).</remarks>
public enum WritePattern
{
    Whole,
    PerEvent,
    OneByte,
    RandomSplits,
}

/// <summary>Cuts bodies into writes by a <see cref="WritePattern"/>.</summary>
public static class WritePatterns
{
    /// <summary>Cuts a body into writes: whole; one per event (after each blank line, CRLF or LF, else each line); one byte each; or random pieces of 1-40 bytes.</summary>
    public static IEnumerable<(int Start, int Length)> Split(byte[] body, WritePattern pattern, int seed)
    {
        switch (pattern)
        {
            case WritePattern.Whole:
                if (body.Length > 0)
                {
                    yield return (0, body.Length);
                }

                break;
            case WritePattern.OneByte:
                for (var i = 0; i < body.Length; i++)
                {
                    yield return (i, 1);
                }

                break;
            case WritePattern.PerEvent:
                var span = body.AsSpan();
                var separator = span.IndexOf("\r\n\r\n"u8) >= 0 ? "\r\n\r\n"u8.ToArray() : span.IndexOf("\n\n"u8) >= 0 ? "\n\n"u8.ToArray() : "\n"u8.ToArray();
                var start = 0;
                while (start < body.Length)
                {
                    var at = body.AsSpan(start).IndexOf(separator);
                    var length = at < 0 ? body.Length - start : at + separator.Length;
                    yield return (start, length);
                    start += length;
                }

                break;
            default:
                var random = new Random(seed);
                for (var i = 0; i < body.Length;)
                {
                    var length = Math.Min(random.Next(1, 40), body.Length - i);
                    yield return (i, length);
                    i += length;
                }

                break;
        }
    }
}
