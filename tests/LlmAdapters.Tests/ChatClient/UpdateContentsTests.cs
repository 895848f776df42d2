using LlmAdapters.AI;
using Microsoft.Extensions.AI;

namespace LlmAdapters.Tests.ChatClient;

public sealed class UpdateContentsTests
{
    [Test]
    public void EverySequenceOfChanges_GivesWhatAListGives_ResultsAndExceptionsAlike()
    {
        // A streamed update's contents hold their one item in place: held to List<AIContent> over generated sequences of
        // every operation (valid and invalid indexes, items present and absent, null, enumerations changed midway), each
        // result or exception compared, and the whole list after every step.
        var pool = new AIContent?[] { new TextContent("a"), new TextContent("b"), new UsageContent(new UsageDetails()), null };
        var random = new Random(20261207);
        for (var sequence = 0; sequence < 20_000; sequence++)
        {
            var expected = new List<AIContent>();
            var actual = new UpdateContents();
            var log = new List<string>();
            var steps = random.Next(1, 9);
            for (var step = 0; step < steps; step++)
            {
                var op = random.Next(12);
                var item = pool[random.Next(pool.Length)];
                var index = random.Next(-1, 4);
                log.Add($"{op}:{index}:{(item as TextContent)?.Text ?? item?.GetType().Name ?? "null"}");
                var want = Run(expected, op, item!, index);
                var got = Run(actual, op, item!, index);
                Assert.That(got, Is.EqualTo(want), $"sequence {sequence}, steps {string.Join(" ", log)}");
                Assert.That(actual.Count, Is.EqualTo(expected.Count), $"sequence {sequence}, steps {string.Join(" ", log)}");
                Assert.That(Enumerable.Range(0, actual.Count).Select(i => actual[i]), Is.EqualTo(expected), $"sequence {sequence}, steps {string.Join(" ", log)}");
            }

            // (Last: a copy moves the one item into a list, as any change but an add to an empty list does.)
            Assert.That(actual.ToArray(), Is.EqualTo(expected.ToArray()), $"sequence {sequence}, steps {string.Join(" ", log)}");
        }
    }

    [Test]
    public void OneItem_IsHeldWithoutAListOfItsOwn_AndEnumeratesAsOne()
    {
        var text = new TextContent("piece");
        var contents = new UpdateContents();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var made = new UpdateContents();
        made.Add(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        contents.Add(text);
        Assert.That(allocated, Is.LessThanOrEqualTo(48), "one object: a List<AIContent> and its array would be 64 bytes and more");
        Assert.That(contents, Is.EqualTo(new[] { text }));
        Assert.That(new ChatResponseUpdate(ChatRole.Assistant, contents).Text, Is.EqualTo("piece"));
    }

    [Test]
    public void AnEnumerationOfTheOneItem_ChangedMidway_FailsAsAListsDoes()
    {
        var contents = new UpdateContents { new TextContent("a") };
        using var items = contents.GetEnumerator();
        Assert.That(items.MoveNext(), Is.True);
        contents.Add(new TextContent("b"));

        Assert.Throws<InvalidOperationException>(() => items.MoveNext());
    }

    private static string Run(IList<AIContent> list, int op, AIContent item, int index)
    {
        try
        {
            switch (op)
            {
                case 0 or 1 or 2:
                    list.Add(item);
                    return "added";
                case 3:
                    list.Insert(index, item);
                    return "inserted";
                case 4:
                    list.RemoveAt(index);
                    return "removed at";
                case 5:
                    return $"removed {list.Remove(item)}";
                case 6:
                    list.Clear();
                    return "cleared";
                case 7:
                    list[index] = item;
                    return "set";
                case 8:
                    return $"got {Describe(list[index])}";
                case 9:
                    return $"index {list.IndexOf(item)} contains {list.Contains(item)}";
                case 10:
                    var array = new AIContent[3];
                    list.CopyTo(array, index);
                    return $"copied {string.Join(",", array.Select(Describe))}";
                default:
                    // An enumeration, changed after its first item (when it has one): the next step fails as a list's does.
                    using (var items = list.GetEnumerator())
                    {
                        var seen = new List<string>();
                        while (items.MoveNext())
                        {
                            seen.Add(Describe(items.Current));
                            if (seen.Count == 1 && index == 0)
                            {
                                list.Add(item);
                            }
                        }

                        return $"enumerated {string.Join(",", seen)}";
                    }
            }
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name} after {list.Count}";
        }
    }

    private static string Describe(AIContent? content) => content switch
    {
        null => "null",
        TextContent text => text.Text,
        _ => content.GetType().Name,
    };
}
