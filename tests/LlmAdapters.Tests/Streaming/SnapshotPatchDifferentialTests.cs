#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmAdapters.Execution;
using LlmAdapters.Tests.Fuzzing;
using static LlmAdapters.Tests.Fuzzing.StreamFuzzTests;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// A chunk whose values differ from the chunk before's only in integers (a usage sent with every chunk) is given as that
/// chunk's snapshot and a patch of its integers (Mapping.SnapshotPatch) instead of a snapshot of its own. That changes
/// nothing a caller sees: every stream runs with patches and without, and each update's text, event type, fields, usage,
/// finish reason, every item through GetString, and ToString must be the same, read in a random order, some while the
/// stream runs, some after it ended, some from two threads at once. Streams through the shipped dashscope (incremental
/// and cumulative, whose whole text so far is patched by its length, and now and then rewritten) and gemini adapters (the
/// wire shapes of DashScope's streaming reference and Gemini's streamGenerateContent, as in the conformance fixtures) and
/// an inline definition with integer items of every kind (bare, in an object, in an array). Their integers
/// grow, shrink, repeat, jump, gain digits, go past what a patch holds, turn negative, fractional, exponent, string or
/// null, or go missing; now and then another byte changes too (a string, white space, the key order, the event type).
/// Deterministic (fixed seed).
/// </summary>
[Category("Fuzzing")]
public class SnapshotPatchDifferentialTests
{
    private const int Seed = 20_261_214;
    private const int CasesPerShape = 150;

    private enum Walk
    {
        Constant,
        Step,
        Plateau,
        Jump,
        Alternate,
        MoreDigits,
        Huge,
        Spike,
    }

    internal sealed record PatchShape(string Name, LlmCatalog Catalog, LlmProfile Profile, string[] Names, Func<Chunk, string> Write, string Call = "chat");

    /// <summary>One chunk's parts: its text (and the whole text so far), its integers (JSON text, or null for a missing key), and the rest.</summary>
    internal sealed record Chunk(int Index, bool Last, string Piece, string Whole, string?[] Numbers, string Id, string EventType, bool Swapped, bool Spaced, bool Extra);

    private static readonly string[] Pieces = ["你好", "，", " world", "😀!", "\"q\"\n", "\\ {x}", string.Empty, "中文🀄"];

    internal static readonly PatchShape[] Shapes =
    [
        new("dashscope", LlmCatalog.BuiltIn, Profile("dashscope"), ["content", "reasoning", "finish_reason", "usage", "id", "nope"], c =>
            $"id:{c.Index + 1}\nevent:{c.EventType}\n:HTTP_STATUS/200\ndata:{{\"output\":{{\"choices\":[{{\"message\":{{\"content\":{J(c.Piece)},\"role\":\"assistant\"}},\"finish_reason\":\"{(c.Last ? "stop" : "null")}\"}}]}},"
            + $"\"usage\":{Object(c, ("total_tokens", 0), ("output_tokens", 1), ("input_tokens", 2), ("cached_tokens", 3))},\"request_id\":{J(c.Id)}}}\n\n"),
        new("dashscope-cumulative", LlmCatalog.BuiltIn, Profile("dashscope"), ["content", "finish_reason", "usage", "id", "nope"], c =>
            $"id:{c.Index + 1}\nevent:{c.EventType}\n:HTTP_STATUS/200\ndata:{{\"output\":{{\"choices\":[{{\"message\":{{\"content\":{J(c.Whole)},\"role\":\"assistant\"}},\"finish_reason\":\"{(c.Last ? "stop" : "null")}\"}}]}},"
            + $"\"usage\":{Object(c, ("total_tokens", 0), ("output_tokens", 1), ("input_tokens", 2))},\"request_id\":{J(c.Id)}}}\n\n", "chat_cumulative"),
        new("gemini", LlmCatalog.BuiltIn, Profile("gemini"), ["content", "reasoning", "finish_reason", "usage", "model", "id", "nope"], c =>
            $"data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":{J(c.Piece)}}}],\"role\":\"model\"}},{(c.Last ? "\"finishReason\":\"STOP\"," : string.Empty)}\"index\":0}}],"
            + $"\"usageMetadata\":{Object(c, ("promptTokenCount", 2), ("candidatesTokenCount", 1), ("totalTokenCount", 0), ("thoughtsTokenCount", 3))},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":{J(c.Id)}}}\n\n"),
        new("inline", LlmCatalog.FromJson(
                """
                { "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [
                  { "name": "content", "value": "choices[0].delta.content" },
                  { "name": "finish_reason", "value": "choices[0].finish_reason" },
                  { "name": "prompt_tokens", "value": "usage.prompt_tokens" },
                  { "name": "completion_tokens", "value": "usage.completion_tokens" },
                  { "name": "usage", "value": "usage" },
                  { "name": "seq", "value": "seq" },
                  { "name": "meta", "value": "meta" },
                  { "name": "id", "value": "id" },
                  { "name": "event", "value": "@event" } ] } }
                """, "patch-fuzz.json"),
            new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" },
            ["content", "finish_reason", "prompt_tokens", "completion_tokens", "usage", "seq", "meta", "id", "event", "nope"], c =>
            $"event: {c.EventType}\ndata: {{\"seq\":{c.Numbers[3] ?? "null"},\"id\":{J(c.Id)},\"meta\":{{\"n\":[{c.Numbers[3] ?? "0"},{{\"m\":{c.Numbers[2] ?? "null"}}}],\"s\":\"k\"}},"
            + $"\"choices\":[{{\"delta\":{{\"content\":{J(c.Piece)}}},\"finish_reason\":{(c.Last ? "\"stop\"" : "null")}}}],\"usage\":{Object(c, ("prompt_tokens", 2), ("completion_tokens", 1), ("total_tokens", 0))}}}\n\n"),
    ];

    [Test]
    public async Task Patched_updates_show_what_updates_of_their_own_show_over_generated_streams()
    {
        var run = new FuzzRun($"snapshot patches against snapshots of their own (seed {Seed})");
        int updates = 0, patched = 0;
        var caseNumber = 0;
        var perShape = new List<string>();
        var reached = new List<bool>();
        foreach (var shape in Shapes)
        {
            var (shapeUpdates, shapePatched) = (updates, patched);
            for (var i = 0; i < CasesPerShape; i++, caseNumber++)
            {
                var random = FuzzRun.CaseRandom(Seed, caseNumber);
                var (kind, body) = Generate(shape, random);
                var readMode = random.Next(ChunkedStream.Modes);
                var readSeed = random.Next();
                var with = await OutcomeAsync(shape, body, readMode, readSeed, patches: true);
                var without = await OutcomeAsync(shape, body, readMode, readSeed, patches: false);
                updates += with.Updates;
                patched += with.Patched;
                string? failure = null;
                if (without.Patched != 0)
                {
                    failure = $"{without.Patched} updates were patched with patches off";
                }
                else if (with.Text != without.Text)
                {
                    failure = $"with patches ({with.Patched} of {with.Updates} updates patched) the caller saw{Environment.NewLine}{with.Text}{Environment.NewLine}but without{Environment.NewLine}{without.Text}";
                }

                run.Record($"{shape.Name} {kind}", failure is null ? (with.Patched > 0 ? "same, some patched" : "same, none patched") : "failure",
                    failure is null ? null : $"seed {Seed}, case {caseNumber} ({shape.Name} {kind}, read mode {readMode}): {failure}{Environment.NewLine}body: {Encoding.UTF8.GetString(body)}", null, $"case {caseNumber}");
            }

            perShape.Add($"{shape.Name} {patched - shapePatched} of {updates - shapeUpdates}");
            reached.Add(patched - shapePatched > (updates - shapeUpdates) / 5);
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(Shapes.Length * CasesPerShape));

        // The cases must reach the patches: in every shape, more than a fifth of the updates are patched (most of those
        // of a stream whose usage changes in every chunk; few of the others).
        TestContext.Out.WriteLine($"updates given as a snapshot and a patch: {string.Join(", ", perShape)}");
        Assert.That(reached, Has.All.True, $"updates patched: {string.Join(", ", perShape)}");
    }

    private static LlmProfile Profile(string adapter) => new() { Adapter = adapter, BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-patch", ["model"] = "m" } };

    /// <summary>An object of the chunk's integers under the given names (a missing one left out), in order or swapped, spaced or not, with an extra key or not.</summary>
    private static string Object(Chunk chunk, params (string Name, int Number)[] keys)
    {
        var members = keys.Where(k => chunk.Numbers[k.Number] is not null).Select(k => $"\"{k.Name}\":{(chunk.Spaced ? " " : string.Empty)}{chunk.Numbers[k.Number]}").ToList();
        if (chunk.Swapped && members.Count > 1)
        {
            (members[0], members[1]) = (members[1], members[0]);
        }

        if (chunk.Extra)
        {
            members.Add("\"extra\":[1,\"2\"]");
        }

        return "{" + string.Join(",", members) + "}";
    }

    /// <summary>A stream of 3 to 24 chunks: per integer a walk, per chunk now and then something else that changes.</summary>
    internal static (string Kind, byte[] Body) Generate(PatchShape shape, Random random)
    {
        var count = random.Next(3, 25);
        // Half the streams as vendors send them (a count or two that grow, the rest constant), half with any walks.
        var realistic = random.Next(2) == 0;
        var walks = Enumerable.Range(0, 4).Select(n => realistic ? (n < random.Next(1, 3) ? (random.Next(2) == 0 ? Walk.Step : Walk.Plateau) : Walk.Constant) : (Walk)random.Next(Enum.GetValues<Walk>().Length)).ToArray();
        var starts = walks.Select(w => w switch
        {
            Walk.MoreDigits => (long)Math.Pow(10, random.Next(1, 19)) - random.Next(1, 3),
            Walk.Huge => random.Next(3) switch { 0 => 999_999_999_999_999_990L, 1 => (1L << 62) - 3, _ => long.MaxValue - 5 },
            _ => random.Next(0, 2000),
        }).ToArray();
        var odd = realistic ? 200 : random.Next(3) == 0 ? 3 : 30; // how rarely (1 in odd) a chunk also changes a byte that is not an integer
        var body = new StringBuilder();
        var id = "5bd1d3a1-patch";
        var whole = string.Empty;
        var eventType = "result";
        for (var i = 0; i < count; i++)
        {
            var numbers = new string?[4];
            for (var n = 0; n < 4; n++)
            {
                var value = walks[n] switch
                {
                    Walk.Constant => starts[n],
                    Walk.Step => starts[n] + i,
                    Walk.Plateau => starts[n] + (i / 3), // (the same integers for a few chunks, unlike the shared snapshot's)
                    Walk.Jump => random.Next(0, 100_000),
                    Walk.Alternate => i % 2 == 0 ? starts[n] : starts[n] + 7,
                    Walk.MoreDigits => starts[n] + i,
                    Walk.Huge => starts[n] + i,
                    Walk.Spike => i % 2 == 0 ? starts[n] + i : 100_000_000_000 + starts[n], // (twelve digits: too many for a patch of two)
                    _ => throw new InvalidOperationException(walks[n].ToString()),
                };
                numbers[n] = random.Next(odd * 3) switch
                {
                    0 => "-" + value.ToString(CultureInfo.InvariantCulture),
                    1 => value.ToString(CultureInfo.InvariantCulture) + ".0",
                    2 => value.ToString(CultureInfo.InvariantCulture) + "e0",
                    3 => "\"" + value.ToString(CultureInfo.InvariantCulture) + "\"",
                    4 => "null",
                    5 => null,
                    6 => "-0",
                    _ => value < 0 ? long.MaxValue.ToString(CultureInfo.InvariantCulture) : ((ulong)value).ToString(CultureInfo.InvariantCulture),
                };
            }

            if (random.Next(odd) == 0)
            {
                id = "5bd1d3a1-" + random.Next(3).ToString(CultureInfo.InvariantCulture);
            }

            if (random.Next(odd) == 0)
            {
                eventType = eventType == "result" ? "other" : "result";
            }

            var piece = Pieces[random.Next(Pieces.Length)];
            whole = random.Next(odd) == 0 ? "rewritten " + piece : whole + piece; // (a cumulative stream that rewrites its text starts again)
            var chunk = new Chunk(i, i == count - 1, piece, whole, numbers, id, eventType, random.Next(odd) == 0, random.Next(odd) == 0, random.Next(odd) == 0);
            body.Append(shape.Write(chunk));
        }

        return ($"{count} chunks, walks {string.Join(",", walks)}, 1 in {odd} odd", Encoding.UTF8.GetBytes(body.ToString()));
    }

    /// <summary>Everything the caller saw, as text, and how many updates there were and how many of them were patched.</summary>
    private static async Task<(string Text, int Updates, int Patched)> OutcomeAsync(PatchShape shape, byte[] body, int readMode, int readSeed, bool patches)
    {
        using var handler = new BodyHandler(new ChunkedStream(body, new Random(readSeed), readMode), "text/event-stream");
        var client = shape.Catalog.CreateClient(shape.Profile, handler);
        ((LlmClient)client).Runner.PatchesSnapshots = patches;
        var seen = new List<string>();
        var later = new List<(int Index, LlmStreamUpdate Update)>();
        int updates = 0, patched = 0;
        var error = await FuzzRun.RunBoundedAsync(async token =>
        {
            await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Call = shape.Call, Prompt = "hi" }, token))
            {
                var reader = new Random(readSeed + updates);
                patched += update.IsPatched ? 1 : 0;
                if (reader.Next(3) == 0)
                {
                    later.Add((updates, update)); // read after the stream ended, its bytes long gone from the buffer
                    seen.Add(string.Empty);
                }
                else
                {
                    seen.Add(await ReadAsync(update, shape.Names, reader));
                }

                updates++;
            }
        });
        foreach (var (index, update) in later)
        {
            var reader = new Random(readSeed + index);
            reader.Next(3);
            seen[index] = await ReadAsync(update, shape.Names, reader);
        }

        return (string.Join("\n", seen.Select((s, i) => $"{i}: {s}")) + "\n" + (error is null ? "ended" : $"raised {error.GetType().FullName}: {error.Message}"), updates, patched);
    }

    /// <summary>Reads everything an update shows, in a random order (sometimes two parts at once from two threads), written out in a fixed one.</summary>
    private static async Task<string> ReadAsync(LlmStreamUpdate update, string[] names, Random random)
    {
        var parts = new string[5 + names.Length];
        var reads = new List<Action>
        {
            () => parts[0] = "text " + JsonSerializer.Serialize(update.Text) + " event " + update.EventType,
            () => parts[1] = "usage " + (update.Usage is { } u ? $"{u.InputTokens}/{u.OutputTokens}/{u.TotalTokens}" : "none"),
            () => parts[2] = "finish " + update.FinishReason,
            () => parts[3] = "fields " + string.Join(";", update.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.GetRawText()}")),
            () => parts[4] = "string " + update,
        };
        for (var n = 0; n < names.Length; n++)
        {
            var (slot, name) = (5 + n, names[n]);
            reads.Add(() => parts[slot] = $"{name}={update.GetString(name) ?? "(null)"}");
        }

        var order = reads.OrderBy(_ => random.Next()).ToList();
        if (random.Next(8) == 0)
        {
            // Two readers at once: whichever makes the update's own snapshot (or its fields) first, both see the same.
            await Task.WhenAll(Task.Run(() => order.Take(order.Count / 2).ToList().ForEach(r => r())), Task.Run(() => order.Skip(order.Count / 2).ToList().ForEach(r => r())));
        }
        else
        {
            order.ForEach(r => r());
        }

        return string.Join(" | ", parts);
    }
}
