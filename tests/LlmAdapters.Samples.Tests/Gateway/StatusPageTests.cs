using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>The status page, loaded in headless Chromium, shows what /stats says.</summary>
public sealed partial class StatusPageTests
{
    [Test]
    public async Task StatusPage_InChromium_ShowsTheNumbersOfStats()
    {
        await Chromium.EnsureInstalledAsync();
        await using var gateway = await GatewayHost.StartAsync(requireKey: false);
        await SendTrafficAsync(gateway.BaseUrl);

        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl + "/") };
        using var stats = JsonDocument.Parse(await http.GetStringAsync("stats"));
        var dom = await Chromium.DumpDomAsync(gateway.BaseUrl + "/");

        // Where tests should leave a picture of the page (docs/gateway-status.png is made this way).
        if (Environment.GetEnvironmentVariable("GATEWAY_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await Chromium.ScreenshotAsync(gateway.BaseUrl + "/", screenshot);
            Assert.That(new FileInfo(screenshot).Length, Is.GreaterThan(10_000));
        }

        var root = stats.RootElement;
        var totals = root.GetProperty("totals");
        Assert.Multiple(() =>
        {
            Assert.That(dom, Does.Contain("data-loaded=\"true\""), "the page's script should have fetched /stats");
            Assert.That(totals.GetProperty("requests").GetInt64(), Is.EqualTo(6), "5 answered and 1 refused call");
            Assert.That(totals.GetProperty("errors").GetInt64(), Is.EqualTo(1));
            Assert.That(Total(dom, "total-requests"), Is.EqualTo(totals.GetProperty("requests").GetInt64().ToString(CultureInfo.InvariantCulture)));
            Assert.That(Total(dom, "total-errors"), Is.EqualTo(totals.GetProperty("errors").GetInt64().ToString(CultureInfo.InvariantCulture)));
            Assert.That(totals.GetProperty("rejected").GetInt64(), Is.EqualTo(1), "the request for an unknown model");
            Assert.That(Total(dom, "total-rejected"), Is.EqualTo("1"));
            Assert.That(Total(dom, "total-input-tokens"), Is.EqualTo(totals.GetProperty("inputTokens").GetInt64().ToString(CultureInfo.InvariantCulture)));
            Assert.That(Total(dom, "total-output-tokens"), Is.EqualTo(totals.GetProperty("outputTokens").GetInt64().ToString(CultureInfo.InvariantCulture)));
            Assert.That(Cell(dom, "uptime").Value, Is.Not.Empty);
        });

        var profiles = root.GetProperty("profiles").EnumerateArray().ToList();
        Assert.That(profiles.Select(p => p.GetProperty("profile").GetString()), Is.EquivalentTo(new[] { "broken", "demo" }));
        foreach (var profile in profiles)
        {
            var name = profile.GetProperty("profile").GetString()!;
            Assert.Multiple(() =>
            {
                foreach (var field in new[] { "requests", "errors", "inputTokens", "outputTokens", "latencyP50Ms", "latencyP90Ms", "latencyP99Ms", "timeToFirstChunkP50Ms" })
                {
                    var expected = profile.GetProperty(field);
                    var (value, text) = ProfileCell(dom, name, field);
                    Assert.That(value, Is.EqualTo(expected.ValueKind == JsonValueKind.Null ? "" : expected.GetRawText()), $"{name} {field}");
                    if (!field.EndsWith("Ms", StringComparison.Ordinal))
                    {
                        Assert.That(text.Replace(",", "", StringComparison.Ordinal), Is.EqualTo(expected.GetRawText()), $"{name} {field} as shown");
                    }
                }
            });
        }

        var demo = profiles.Single(p => p.GetProperty("profile").GetString() == "demo");
        Assert.That(demo.GetProperty("latencyP50Ms").ValueKind, Is.EqualTo(JsonValueKind.Number));

        // Each upstream key's current state, as /stats says: the revoked one rejected, the good one healthy.
        var keys = demo.GetProperty("keys").EnumerateArray().ToList();
        Assert.That(keys.Select(k => k.GetProperty("state").GetString()), Is.EqualTo(new[] { "rejected", "healthy" }));
        foreach (var key in keys)
        {
            var id = key.GetProperty("id").GetString()!;
            Assert.That(dom, Does.Match($"<td [^>]*data-key=\"{id}\" data-field=\"state\" data-value=\"{key.GetProperty("state").GetString()}\""), $"key {id} state");
            Assert.That(dom, Does.Match($"<td [^>]*data-key=\"{id}\" data-field=\"requests\" data-value=\"{key.GetProperty("requests").GetInt64()}\""), $"key {id} requests");
        }

        // Columns align: every row of both tables has as many cells as its header (a spanning cell counts its span).
        foreach (var table in Regex.Matches(dom, "<table>.*?</table>", RegexOptions.Singleline, TimeSpan.FromSeconds(1)).Select(m => m.Value))
        {
            var headers = Regex.Count(table, "<th[ >]", RegexOptions.None, TimeSpan.FromSeconds(1));
            foreach (var row in Regex.Matches(table, "<tbody.*?</tbody>", RegexOptions.Singleline, TimeSpan.FromSeconds(1)).SelectMany(b => Regex.Matches(b.Value, "<tr>(.*?)</tr>", RegexOptions.Singleline, TimeSpan.FromSeconds(1))))
            {
                var cells = Regex.Matches(row.Value, "<td(?: [^>]*?colspan=\"(\\d+)\")?[^>]*>", RegexOptions.None, TimeSpan.FromSeconds(1))
                    .Sum(c => c.Groups[1].Success ? int.Parse(c.Groups[1].Value, CultureInfo.InvariantCulture) : 1);
                Assert.That(cells, Is.EqualTo(headers), row.Value);
            }
        }
    }

    /// <summary>Three whole and two streamed answers from <c>demo</c>; one call to <c>broken</c>, which the upstream refuses.</summary>
    private static async Task SendTrafficAsync(string baseUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (model, stream) in new[] { ("demo", false), ("demo", false), ("demo", false), ("demo", true), ("demo", true), ("broken", false) })
        {
            var body = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"status page test"}]}""";
            using var response = await http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(model == "broken" ? 503 : 200));
        }

        using var unknown = await http.PostAsync("v1/chat/completions", new StringContent("""{"model":"nope","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
        Assert.That((int)unknown.StatusCode, Is.EqualTo(404));
    }

    private static string Total(string dom, string id)
    {
        var (value, text) = Cell(dom, id);
        Assert.That(text.Replace(",", "", StringComparison.Ordinal), Is.EqualTo(value), $"#{id} shows its value");
        return value;
    }

    private static (string Value, string Text) Cell(string dom, string id)
        => Find(dom, $"<[a-z]+ [^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>", $"#{id}");

    private static (string Value, string Text) ProfileCell(string dom, string profile, string field)
        => Find(dom, $"<td [^>]*data-profile=\"{Regex.Escape(profile)}\" data-field=\"{Regex.Escape(field)}\"[^>]*>", $"{profile}/{field}");

    private static (string Value, string Text) Find(string dom, string tagPattern, string what)
    {
        var match = Regex.Match(dom, tagPattern + "([^<]*)<", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.That(match.Success, Is.True, $"the page has no element for {what}");
        var value = DataValue().Match(match.Value);
        return (value.Success ? value.Groups[1].Value : "", System.Net.WebUtility.HtmlDecode(match.Groups[1].Value));
    }

    [GeneratedRegex("data-value=\"([^\"]*)\"")]
    private static partial Regex DataValue();
}
