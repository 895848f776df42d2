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

    /// <summary>Rows "| `preset` | `adapter` | base URL | calls | default variables |" of the hosts table, by preset.</summary>
    private static Dictionary<string, (string Adapter, string BaseUrl, string[] Calls, string[] Variables)> HostRows()
    {
        static string[] Codes(string cell) => [.. Regex.Matches(cell, "`([^`]+)`", RegexOptions.None, TimeSpan.FromSeconds(1)).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];
        var rows = new Dictionary<string, (string, string, string[], string[])>(StringComparer.Ordinal);
        foreach (Match row in Regex.Matches(Readme, @"^\| `([a-z0-9._-]+)` \| `([a-z0-9._-]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1)))
        {
            Assert.That(rows.TryAdd(row.Groups[1].Value, (row.Groups[2].Value, row.Groups[3].Value.Trim(), Codes(row.Groups[4].Value), Codes(row.Groups[5].Value))), Is.True, $"preset {row.Groups[1].Value} has two rows");
        }

        return rows;
    }

    private static LlmCatalog Shipped { get; } = LlmCatalog.FromDirectory(Paths.Adapters);

    [Test]
    public void HostsTable_HasOneRowPerShippedPreset()
    {
        Assert.That(HostRows().Keys.Order(StringComparer.Ordinal), Is.EqualTo(Shipped.Presets.Select(p => p.Name)));
    }

    [Test]
    public void HostsTable_RowsSayWhatEachPresetIs()
    {
        var rows = HostRows();
        Assert.Multiple(() =>
        {
            foreach (var preset in Shipped.Presets)
            {
                if (!rows.TryGetValue(preset.Name, out var row))
                {
                    continue; // reported by HostsTable_HasOneRowPerShippedPreset
                }

                Assert.That(row.Adapter, Is.EqualTo(preset.Adapter), $"{preset.Name}: adapter");
                Assert.That(row.BaseUrl, preset.BaseUrl is null ? Does.StartWith("the profile's") : Is.EqualTo($"`{preset.BaseUrl}`"), $"{preset.Name}: base URL");
                Assert.That(row.Calls, Is.EqualTo(Shipped.GetCalls(preset.Adapter).Order(StringComparer.Ordinal)), $"{preset.Name}: calls");
                Assert.That(row.Variables, Is.EqualTo(preset.Variables.Keys.Order(StringComparer.Ordinal)), $"{preset.Name}: default variables");
            }
        });
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
