using System.Text;
using LlmAdapters.Mapping;
using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>Drives a <see cref="StreamSession"/> directly with a body cut into reads, as PlanRunner does, and records what each step gave.</summary>
internal static class FramingDriver
{
    /// <summary>The text item of OpenAI's chat completion chunks (choices[0].delta.content).</summary>
    public static StreamPlan Plan(StreamFormat format, string? done = "[DONE]", string textPath = "choices[0].delta.content")
        => new(format, null, done, doneRequired: false, cumulative: false, new ResponseMap([new ResponseField("content", [KeyPath.Parse(textPath)], null)]), [], ErrorMap.Default);

    /// <summary>The body in two reads cut at every byte boundary (0 and the length included), then one byte per read.</summary>
    public static IEnumerable<(string Cut, byte[][] Reads)> EverySplit(string body) => EverySplit(Encoding.UTF8.GetBytes(body));

    /// <summary>The bytes in two reads cut at every boundary, then one byte per read (binary framings).</summary>
    public static IEnumerable<(string Cut, byte[][] Reads)> EverySplit(byte[] bytes)
    {
        for (var i = 0; i <= bytes.Length; i++)
        {
            yield return ($"cut at {i}", [bytes[..i], bytes[i..]]);
        }

        yield return ("one byte per read", [.. bytes.Select(b => new[] { b })]);
    }

    /// <summary>Runs the session to its end; every loop is bounded by the number of reads and steps.</summary>
    /// <param name="plan">The stream's plan.</param>
    /// <param name="reads">The body, in the reads the session gets.</param>
    /// <param name="configure">Sets the session's switches before the first read (the differential tests' references).</param>
    /// <param name="keepError">True to end the run at an <see cref="InvalidChunkException"/> and give it in <see cref="Run.Error"/>, with the chunks before it; false to let it out.</param>
    public static Run Drive(StreamPlan plan, byte[][] reads, Action<StreamSession>? configure = null, bool keepError = false)
    {
        using var session = new StreamSession(plan, maxLineBytes: 1 << 20, "the test call");
        configure?.Invoke(session);
        var chunks = new List<string?>();
        var events = new List<string?>();
        var payloads = new List<string>();
        var next = 0;
        var offset = 0;
        for (var steps = 0; steps < 100_000; steps++)
        {
            StepKind kind;
            try
            {
                kind = session.Step();
            }
            catch (InvalidChunkException e) when (keepError)
            {
                return new Run(chunks, events, Done: false, session.Truncation, session.Chunks, payloads, e);
            }

            switch (kind)
            {
                case StepKind.Chunk:
                    chunks.Add(session.CurrentText);
                    events.Add(session.Decoder.EventType);
                    payloads.Add(Convert.ToHexString(session.CurrentPayload));
                    continue;
                case StepKind.Done:
                    return new Run(chunks, events, Done: true, session.Truncation, session.Chunks, payloads);
                case StepKind.End:
                    return new Run(chunks, events, Done: false, session.Truncation, session.Chunks, payloads);
                case StepKind.NeedMore:
                    break;
                default:
                    throw new InvalidOperationException($"unknown step {kind}");
            }

            while (next < reads.Length && offset == reads[next].Length)
            {
                next++;
                offset = 0;
            }

            if (next == reads.Length)
            {
                session.Complete();
                continue;
            }

            var buffer = session.GetReadBuffer();
            var n = Math.Min(buffer.Length, reads[next].Length - offset);
            reads[next].AsSpan(offset, n).CopyTo(buffer.Span);
            offset += n;
            session.Advance(n);
        }

        throw new InvalidOperationException("the session did not end within 100,000 steps");
    }

    /// <summary>What a run gave: each chunk's text and SSE event type, whether the end marker came, a truncation message, and each chunk's payload (hex).</summary>
    public sealed record Run(List<string?> Texts, List<string?> Events, bool Done, string? Truncation, int Chunks, List<string> Payloads, InvalidChunkException? Error = null)
    {
        public string JoinedText => string.Concat(Texts);
    }
}
