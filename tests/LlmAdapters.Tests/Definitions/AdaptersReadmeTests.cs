using System.Text.RegularExpressions;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

/// <summary>The table of adapters/README.md against the shipped files: one row per file, naming exactly the file's calls.</summary>
public sealed class AdaptersReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Paths.Adapters, "README.md"));

    /// <summary>Rows "| `file.json` | vendor | calls | base URL |" by file, with the call names written in code in the calls cell.</summary>
    private static Dictionary<string, string[]> Rows()
    {
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (Match row in Regex.Matches(Readme, @"^\| `([a-z0-9_-]+\.json)` \|[^|]*\|([^|]*)\|", RegexOptions.Multiline, TimeSpan.FromSeconds(1)))
        {
            var calls = Regex.Matches(row.Groups[2].Value, "`([^`]+)`", RegexOptions.None, TimeSpan.FromSeconds(1)).Select(m => m.Groups[1].Value);
            Assert.That(rows.TryAdd(row.Groups[1].Value, [.. calls.Order(StringComparer.Ordinal)]), Is.True, $"{row.Groups[1].Value} has two rows");
        }

        return rows;
    }

    [Test]
    public void Table_HasOneRowPerShippedFile()
    {
        Assert.That(Rows().Keys.Order(StringComparer.Ordinal), Is.EqualTo(SchemaTests.ShippedAdapters()));
    }

    [TestCaseSource(typeof(SchemaTests), nameof(SchemaTests.ShippedAdapters))]
    public void Row_NamesExactlyTheCallsOfTheFile(string file)
    {
        var catalog = LlmCatalog.FromFile(Path.Combine(Paths.Adapters, file));
        var calls = catalog.GetCalls(catalog.Adapters.Single()).Order(StringComparer.Ordinal);

        Assert.That(Rows().GetValueOrDefault(file), Is.EqualTo(calls), $"the calls of {file} in adapters/README.md's table");
    }
}
