#pragma warning disable CA5394 // deterministic test text needs a seeded Random, not a secure one
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>A cumulative stream's text so far, kept as the pieces it grew by (Mapping.PieceLog, Mapping.TextSoFar).</summary>
public class PieceLogTests
{
    private static readonly string[] Fragments = ["你好", " world", "😀!", "\"q\"\n", string.Empty, "x"];

    [Test]
    public void EveryCount_JoinsThePiecesBeforeIt_AcrossSegmentsAndDirectoryGrowths()
    {
        var random = new Random(7);
        var pieces = Enumerable.Range(0, 1_100).Select(_ => Fragments[random.Next(Fragments.Length)]).ToArray();
        var log = PieceLog.Of(pieces[0]);
        for (var i = 1; i < pieces.Length; i++)
        {
            log.Add(pieces[i]);
        }

        Assert.That(log.Count, Is.EqualTo(pieces.Length));
        for (var count = 0; count <= pieces.Length; count++)
        {
            Assert.That(new TextSoFar(log, count).ToString(), Is.EqualTo(string.Concat(pieces.Take(count))), $"count {count}");
        }
    }

    [Test]
    public async Task A_count_read_on_another_thread_while_pieces_are_added_sees_its_own_text()
    {
        // Updates are read on any thread while the stream's reader appends: a text so far never changes once given.
        var log = PieceLog.Of("a");
        var given = new System.Collections.Concurrent.BlockingCollection<(TextSoFar Text, string Expected)>();
        var reader = Task.Run(() =>
        {
            var mismatches = 0;
            foreach (var (text, expected) in given.GetConsumingEnumerable())
            {
                mismatches += text.ToString() == expected ? 0 : 1;
            }

            return mismatches;
        });
        var expected = "a";
        for (var i = 0; i < 3_000; i++)
        {
            var piece = Fragments[i % Fragments.Length];
            log.Add(piece);
            expected += piece;
            given.Add((new TextSoFar(log, log.Count), expected));
        }

        given.CompleteAdding();
        Assert.That(await reader, Is.Zero);
        Assert.That(default(TextSoFar).ToString(), Is.Empty);
    }
}
