using LlmAdapters.Definitions;

namespace LlmAdapters.Tests.Definitions;

/// <summary>The reader's hand-made invariant casing gives exactly what the framework's does, ASCII or not.</summary>
public class InvariantCaseTests
{
    [TestCase("")]
    [TestCase("sync")]
    [TestCase("SYNC")]
    [TestCase(" Stream ")]
    [TestCase("Post")]
    [TestCase("get-Thing_2")]
    [TestCase("API.Replicate.COM")]
    [TestCase("\u0130stanbul")] // dotted capital I
    [TestCase("STRASSE stra\u00dfe")]
    [TestCase("\u01c5ungla")] // title-case digraph
    [TestCase("K\u212a")] // Kelvin sign
    [TestCase("\u017fync")] // long s
    [TestCase("\u0391\u03b2\u0393")]
    public void SameAsTheFramework(string text)
    {
        Assert.That(InvariantCase.ToLower(text), Is.EqualTo(text.ToLowerInvariant()));
        Assert.That(InvariantCase.ToUpper(text), Is.EqualTo(text.ToUpperInvariant()));
    }

    [Test]
    public void EveryAsciiCharacter_SameAsTheFramework()
    {
        var all = new string(Enumerable.Range(0, 128).Select(i => (char)i).ToArray());
        Assert.That(InvariantCase.ToLower(all), Is.EqualTo(all.ToLowerInvariant()));
        Assert.That(InvariantCase.ToUpper(all), Is.EqualTo(all.ToUpperInvariant()));
    }
}
