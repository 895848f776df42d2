using System.Text;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>The one slot layout and the one alternatives rule (SlotLayout, SlotValues) shared by the sync reader's layout and the chunk decoder.</summary>
public class SlotLayoutTests
{
    private static readonly ResponseMap Map = new(
    [
        new ResponseField("content", [KeyPath.Parse("missing"), KeyPath.Parse("nullish"), KeyPath.Parse("text")], null),
        new ResponseField("kind", [KeyPath.Parse("@event"), KeyPath.Parse("type")], null),
    ]);

    private static readonly ErrorMap Error = new([KeyPath.Parse("error.message")], [KeyPath.Parse("error.code")], [], explicitlyDefined: true);

    [Test]
    public void Layout_IsItemsThenExtrasThenErrorMessageThenCode_WithOutOfBandPathsLeftOut()
    {
        var layout = new SlotLayout(Map, Error, [KeyPath.Parse("choices[0].finish_reason"), null], p => p.Text == "@event");

        Assert.That(layout.FieldSlots[0], Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(layout.FieldSlots[1], Is.EqualTo(new[] { 3 }));
        Assert.That(layout.OutOfBandFields, Is.EqualTo(new[] { false, true }));
        Assert.That(layout.ExtraSlot, Is.EqualTo(4));
        Assert.That(layout.ErrorMessageSlots, Is.EqualTo(new[] { 6 }));
        Assert.That(layout.ErrorCodeSlots, Is.EqualTo(new[] { 7 }));
        Assert.That(layout.Paths.SlotCount, Is.EqualTo(8));
        Assert.That(layout.AllPaths[5], Is.Null);
    }

    [TestCase("""{"nullish":null,"text":"hi"}""", true, "\"hi\"")]
    [TestCase("""{"nullish":null}""", true, "null")]
    [TestCase("""{"text":"only"}""", true, "\"only\"")]
    [TestCase("""{"other":1}""", false, "")]
    public void TryFirst_TakesTheFirstNonNullAlternative_ElseTheFirstNull(string body, bool found, string expected)
    {
        var layout = new SlotLayout(Map, ErrorMap.Default);
        var json = Encoding.UTF8.GetBytes(body);
        var starts = new int[layout.Paths.SlotCount];
        var lengths = new int[layout.Paths.SlotCount];
        layout.Paths.Find(json, starts, lengths);

        var values = new SlotValues(json, starts, lengths);
        Assert.That(values.TryFirst(layout.FieldSlots[0], out var raw), Is.EqualTo(found));
        Assert.That(Encoding.UTF8.GetString(raw), Is.EqualTo(expected));
        Assert.That(values.AnyFound(layout.FieldSlots[0]), Is.EqualTo(found));
        Assert.That(values.FirstNonNull(layout.FieldSlots[0]).ValueKind, Is.EqualTo(found && expected != "null" ? System.Text.Json.JsonValueKind.String : System.Text.Json.JsonValueKind.Undefined));
    }
}
