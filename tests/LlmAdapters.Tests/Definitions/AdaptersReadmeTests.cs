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

    [Test]
    public void ToolTable_IsWhatTheCompiledCallsTake()
    {
        var expected = new List<string>();
        foreach (var file in SchemaTests.ShippedAdapters())
        {
            var catalog = LlmCatalog.FromFile(Path.Combine(Paths.Adapters, file));
            foreach (var call in catalog.Describe(catalog.Adapters.Single()).OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                string Has(string input) => call.Inputs.Contains(input) ? "yes" : "no";
                if (call.Inputs.Contains("tools") || call.Inputs.Contains("tool_choice") || call.Inputs.Contains("response_format"))
                {
                    expected.Add($"| `{file}` `{call.Name}` | {Has("tools")} | {Has("tool_choice")} | {Has("response_format")} |");
                }
            }
        }

        var table = Regex.Matches(Readme, @"^\| `[a-z0-9_-]+\.json` `[a-z0-9_]+` \|.*\|$", RegexOptions.Multiline, TimeSpan.FromSeconds(1)).Select(m => m.Value.TrimEnd()).ToList();
        Assert.That(table, Is.EqualTo(expected), "adapters/README.md, \"Tools and structured output, by call\"");
    }
}
