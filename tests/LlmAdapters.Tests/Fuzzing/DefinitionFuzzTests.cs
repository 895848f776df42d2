#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>
/// Mutates the shipped definition files (structurally and byte by byte) and loads each variant: the only allowed
/// outcomes are a catalog or an <see cref="LlmDefinitionException"/> whose problems name the file and a JSON path.
/// Deterministic: fixed seeds, a bounded number of cases, each case bounded in time. A failure names its seed and case;
/// <see cref="Mutate"/> rebuilds the input from them.
/// </summary>
[Category("Fuzzing")]
public class DefinitionFuzzTests
{
    public const int StructuralSeed = 20_240_601;
    public const int ByteSeed = 20_240_602;
    public const int StructuralCasesPerAdapter = 250;
    public const int ByteCasesPerAdapter = 100;

    private const string FileName = "fuzz.json";
    private const int MaxMessageChars = 100_000;

    /// <summary>
    /// Library bugs this fuzzing found, each reproduced by an ignored test in <see cref="DefinitionFuzzBugs"/>: their cases
    /// are counted as "known bug (...)" instead of failing the run. When a bug is fixed, delete its id here and the Ignore.
    /// </summary>
    internal static readonly HashSet<string> KnownBugs = new(StringComparer.Ordinal);

    internal const string InvalidUtf8Bug = "invalid UTF-8 or an unpaired surrogate escape in a JSON string leaks InvalidOperationException";
    internal const string MessageLengthBug = "LlmDefinitionException message longer than 100 KB";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 2048 };

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The shipped definition files (not the schema), by file name.</summary>
    private static IReadOnlyList<(string Name, string Text)> Shipped { get; } = Directory.EnumerateFiles(Paths.Adapters, "*.json")
        .Where(f => !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase) && !LlmAdapters.Definitions.PresetReader.IsPresetFile(f))
        .Order(StringComparer.Ordinal)
        .Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
        .ToList();

    private static readonly string[] StructuralKinds =
    [
        "delete-key", "duplicate-key", "retype-value", "typo-key", "garbage-choice", "unterminated-template", "deep-nesting",
        "huge-value", "huge-key", "invalid-regex", "garbage-key-path", "garbage-converter", "garbage-filter", "garbage-numbers",
        "garbage-error", "random-fragment", "garbage-name", "several",
    ];

    private static readonly string[] ByteKinds =
    [
        "truncate", "flip-bytes", "insert-bytes", "insert-utf8", "invalid-utf8", "bad-escape", "delete-span", "empty", "bom", "utf16",
        "random-bytes", "nul-and-controls",
    ];

    [Test]
    public void ShippedFiles_AreFound_AndLoad()
    {
        Assert.That(Shipped, Has.Count.GreaterThanOrEqualTo(9));
        foreach (var (name, text) in Shipped)
        {
            Assert.DoesNotThrow(() => LlmCatalog.FromJson(text, name), name);
        }
    }

    [Test]
    public async Task StructuralMutations_OfShippedFiles_GiveACatalogOrAnLlmDefinitionException()
    {
        var run = new FuzzRun($"definition structural mutations (seed {StructuralSeed})");
        var caseNumber = 0;
        foreach (var (name, text) in Shipped)
        {
            for (var i = 0; i < StructuralCasesPerAdapter; i++, caseNumber++)
            {
                var (kind, mutated) = Mutate(text, StructuralSeed, caseNumber);
                var error = await FuzzRun.RunBoundedAsync(_ => Task.FromResult(LlmCatalog.FromJson(mutated, FileName)));
                var (outcome, failure) = Classify(error, FileName);
                run.Record(kind, outcome, failure is null ? null : $"seed {StructuralSeed}, case {caseNumber} ({name}, {kind}): {failure}{Environment.NewLine}input (base64): {Excerpt(Encoding.UTF8.GetBytes(mutated))}", error, $"case {caseNumber} {name} {kind}");
            }
        }

        run.Report();
        run.AssertNoFailures();
    }

    [Test]
    public async Task ByteMutations_OfShippedFiles_GiveACatalogOrAnLlmDefinitionException()
    {
        var run = new FuzzRun($"definition byte mutations (seed {ByteSeed})");
        var folder = Path.Combine(Path.GetTempPath(), "llmadapters-fuzz-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, FileName);
        try
        {
            var caseNumber = 0;
            foreach (var (name, text) in Shipped)
            {
                var original = Encoding.UTF8.GetBytes(text);
                for (var i = 0; i < ByteCasesPerAdapter; i++, caseNumber++)
                {
                    var (kind, bytes) = MutateBytes(original, ByteSeed, caseNumber);
                    await File.WriteAllBytesAsync(file, bytes);
                    var error = await FuzzRun.RunBoundedAsync(_ => Task.FromResult(LlmCatalog.FromFile(file)));
                    var (outcome, failure) = Classify(error, file);
                    run.Record(kind, outcome, failure is null ? null : $"seed {ByteSeed}, case {caseNumber} ({name}, {kind}): {failure}{Environment.NewLine}input (base64): {Excerpt(bytes)}", error, $"case {caseNumber} {name} {kind}");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        run.Report();
        run.AssertNoFailures();
    }

    /// <summary>success, LlmDefinitionException (with sane problems) or a failure description.</summary>
    private static (string Outcome, string? Failure) Classify(Exception? error, string expectedFile)
    {
        switch (error)
        {
            case null:
                return ("success", null);
            case LlmDefinitionException e:
                if (e.Problems.Count == 0)
                {
                    return ("failure", "LlmDefinitionException without problems");
                }

                if (e.Problems.FirstOrDefault(p => p.File != expectedFile || !p.JsonPath.StartsWith('$') || string.IsNullOrWhiteSpace(p.Message) || p.Line < 0) is { } bad)
                {
                    return ("failure", $"a problem without the file '{expectedFile}', a JSON path starting with '$' or a message: {bad}");
                }

                if (e.Message.Length > MaxMessageChars)
                {
                    if (KnownBugs.Contains(MessageLengthBug))
                    {
                        return ($"known bug ({MessageLengthBug})", null);
                    }

                    return ("failure", $"the LlmDefinitionException message is {e.Message.Length} characters long (more than {MaxMessageChars}): {e.Message[..500]} ...");
                }

                return ("LlmDefinitionException", null);
            case InvalidOperationException when KnownBugs.Contains(InvalidUtf8Bug) && (error.Message.Contains("UTF-8", StringComparison.Ordinal) || error.Message.Contains("UTF-16", StringComparison.Ordinal)):
                return ($"known bug ({InvalidUtf8Bug})", null);
            default:
                return ("failure", $"{error.GetType().Name} instead of LlmDefinitionException: {FuzzRun.Describe(error)}");
        }
    }

    private static string Excerpt(byte[] bytes) => bytes.Length <= 64 * 1024 ? Convert.ToBase64String(bytes) : Convert.ToBase64String(bytes, 0, 64 * 1024) + $"... ({bytes.Length} bytes; rebuild it from the seed and case)";

    /// <summary>One structural mutation of a definition file; the same (seed, case) always gives the same text.</summary>
    internal static (string Kind, string Text) Mutate(string original, int seed, int caseNumber)
    {
        var random = FuzzRun.CaseRandom(seed, caseNumber);
        var kind = StructuralKinds[random.Next(StructuralKinds.Length)];
        if (kind.StartsWith("huge-", StringComparison.Ordinal) && random.Next(4) > 0)
        {
            kind = StructuralKinds[random.Next(StructuralKinds.Length)]; // huge inputs are slow to load: a quarter as many
        }

        var root = JsonNode.Parse(original, documentOptions: Lenient)!;
        string? text = null;
        if (kind == "several")
        {
            var count = random.Next(2, 5);
            for (var i = 0; i < count; i++)
            {
                var one = StructuralKinds[random.Next(StructuralKinds.Length - 1)];
                if (one is "duplicate-key" or "huge-key" or "huge-value")
                {
                    continue; // a text edit ends the structural editing; huge inputs have their own kinds
                }

                Apply(one, root, random);
            }
        }
        else
        {
            text = Apply(kind, root, random);
        }

        return (kind, text ?? root.ToJsonString(Indented));
    }

    /// <summary>Applies one mutation to the tree; returns the text when the mutation is a text edit (duplicate keys).</summary>
    private static string? Apply(string kind, JsonNode root, Random random)
    {
        var slots = Slots(root);
        var objects = slots.Where(s => s.Value is JsonObject).Select(s => (JsonObject)s.Value!).Prepend((JsonObject)root).ToList();
        var calls = root.AsObject().Where(p => p.Value is JsonObject).Select(p => p.Value!.AsObject()).ToList();
        var call = calls.Count > 0 ? calls[random.Next(calls.Count)] : root.AsObject();
        switch (kind)
        {
            case "delete-key":
            {
                var withKeys = objects.Where(o => o.Count > 0).ToList();
                if (withKeys.Count > 0)
                {
                    var o = withKeys[random.Next(withKeys.Count)];
                    o.Remove(o.ElementAt(random.Next(o.Count)).Key);
                }

                return null;
            }

            case "duplicate-key":
            {
                var withKeys = objects.Where(o => o.Count > 0).ToList();
                var o = withKeys[random.Next(withKeys.Count)];
                var (key, value) = o.ElementAt(random.Next(o.Count));
                const string Marker = "__fuzz_duplicate_marker__";
                o[Marker] = random.Next(2) == 0 ? value?.DeepClone() : RandomValue(random, 0);
                var json = root.ToJsonString(Indented);
                return json.Replace("\"" + Marker + "\"", JsonSerializer.Serialize(key, Indented), StringComparison.Ordinal);
            }

            case "retype-value":
            {
                var s = slots[random.Next(slots.Count)];
                Replace(s, RandomValue(random, 0, differentFrom: s.Value?.GetValueKind() ?? JsonValueKind.Null));
                return null;
            }

            case "typo-key":
            {
                var withKeys = objects.Where(o => o.Count > 0).ToList();
                var o = withKeys[random.Next(withKeys.Count)];
                var key = o.ElementAt(random.Next(o.Count)).Key;
                var typo = Typo(key, random);
                if (!o.ContainsKey(typo))
                {
                    RenameKey(o, key, typo);
                }

                return null;
            }

            case "garbage-choice":
            {
                string[] keys = ["apitype", "stream_format", "stream_mode", "method", "query_method", "input_items", "stream_done"];
                call[keys[random.Next(keys.Length)]] = Garbage(random, ["sync ", "STREAM", "asynchronous", "sse2", "json_array", "", " ", "raw\n", "GET POST", "ДА", "😀", "delta|cumulative", "\u0000", "lines\u200b"]);
                return null;
            }

            case "unterminated-template":
            {
                string[] templates = ["${", "${model", "${a:-", "$${", "${}", "${?}", "${a b}", "${${x}}", "$", "${:-1}", "${model?", "}${", "${a:-${b}", "${\u0000}", "${é}"];
                var strings = slots.Where(s => s.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                var t = templates[random.Next(templates.Length)];
                if (strings.Count > 0 && random.Next(3) > 0)
                {
                    var s = strings[random.Next(strings.Count)];
                    var current = s.Value!.GetValue<string>();
                    var at = random.Next(current.Length + 1);
                    Replace(s, JsonValue.Create(current[..at] + t + current[at..]));
                }
                else
                {
                    string[] keys = ["path", "query_path", "headers", "data", "params"];
                    var key = keys[random.Next(keys.Length)];
                    call[key] = key is "path" or "query_path" ? JsonValue.Create("/x/" + t) : new JsonArray(new JsonObject { ["name"] = "n", ["value"] = t });
                }

                return null;
            }

            case "deep-nesting":
            {
                var depth = random.Next(20, 300);
                JsonNode nested = JsonValue.Create("deep");
                for (var i = 0; i < depth; i++)
                {
                    nested = random.Next(2) == 0 ? new JsonArray(nested) : new JsonObject { ["a"] = nested };
                }

                Replace(slots[random.Next(slots.Count)], nested);
                return null;
            }

            case "huge-value":
                Replace(slots[random.Next(slots.Count)], JsonValue.Create(HugeString(random)));
                return null;

            case "huge-key":
                objects[random.Next(objects.Count)][HugeString(random)] = "v";
                return null;

            case "invalid-regex":
                call["chunk_match"] = Garbage(random, ["(", "[a-", "(?<", "*", "a{2,1}", "\\", "(a)\\2", "(?<n>a)\\k<m>", "[z-a]", "(?i", "+?+", "\\p{Nope}", "(?<=a+)b(.*)", "((((((((((.*))))))))))", "(a|)*(.*)", "^data: (.*)$", "data: (.*)", "(?:)", ""]);
                return null;

            case "garbage-key-path":
            {
                string[] keys = ["resp", "query_resp"];
                var key = keys[random.Next(keys.Length)];
                var paths = new[] { "a[", "a[b]", "[-0]", "..", "a['x", "$$", "[99999999999]", "", "$", "a]", "['\\u00']", "a.[0]", "[\"x\"", "a | | b", "|", "@event", "@nope", "a[-99999999999]", "[0][0][0][0]", "a\u0000b", "' '" };
                var items = new JsonArray();
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    items.Add(new JsonObject { ["name"] = i == 1 ? "content" : "f" + i, ["value"] = paths[random.Next(paths.Length)] });
                }

                call[key] = random.Next(4) == 0 ? Garbage(random, ["choices[0", "x"]) : items;
                if (random.Next(3) == 0)
                {
                    call["query_status"] = paths[random.Next(paths.Length)];
                }

                return null;
            }

            case "garbage-converter":
            {
                var items = objects.Where(o => o.ContainsKey("name") && o.ContainsKey("value")).ToList();
                if (items.Count > 0)
                {
                    items[random.Next(items.Count)]["converter"] = Garbage(random, ["nope", "", "json ", "JSON", "int|float", "string"]);
                }

                return null;
            }

            case "garbage-filter":
            {
                var filter = new JsonObject
                {
                    ["name"] = Garbage(random, ["@event", "a.b", "", "a[", "choices[-1].x"]),
                    ["op"] = Garbage(random, ["==", "!=", "<", "regex", "contains", "=", "~", "", "exists", "missing", "startswith"]),
                    ["value"] = Garbage(random, ["(", "[a-", "x", "", "(?<=a+)b", "\\"]),
                    ["field"] = Garbage(random, ["content", "nope", "", "usage"]),
                };
                if (random.Next(4) == 0)
                {
                    filter.Remove(filter.ElementAt(random.Next(filter.Count)).Key);
                }

                call["chunk_filter"] = random.Next(2) == 0 ? filter : new JsonArray(filter, RandomValue(random, 0));
                return null;
            }

            case "garbage-numbers":
            {
                string[] keys = ["poll_interval", "poll_backoff", "poll_max_interval", "poll_timeout"];
                call[keys[random.Next(keys.Length)]] = Garbage(random, ["NaN", "1e309", "-1", "0", "Infinity", "2"]) ?? JsonValue.Create(0);
                if (random.Next(2) == 0)
                {
                    call[keys[random.Next(keys.Length)]] = random.Next(5) switch
                    {
                        0 => JsonValue.Create(double.MaxValue),
                        1 => JsonValue.Create(-0.0),
                        2 => JsonValue.Create(1e-300),
                        3 => JsonValue.Create(long.MinValue),
                        _ => JsonNode.Parse("1e400"),
                    };
                }

                return null;
            }

            case "garbage-error":
            {
                call["error"] = random.Next(3) switch
                {
                    0 => Garbage(random, ["error.message", "", "a[", "|"]),
                    1 => new JsonObject { ["message"] = Garbage(random, ["error.message", "a["]), ["code"] = Garbage(random, ["code", "[x"]), ["ok_codes"] = RandomValue(random, 0) },
                    _ => new JsonObject { ["ok_codes"] = new JsonArray(RandomValue(random, 1), RandomValue(random, 1)) },
                };
                return null;
            }

            case "random-fragment":
                Replace(slots[random.Next(slots.Count)], RandomValue(random, 0));
                return null;

            case "garbage-name":
                if (random.Next(3) == 0)
                {
                    root.AsObject().Remove("name");
                }
                else
                {
                    root["name"] = Garbage(random, ["", " ", "openai", "a/b", "名字", "\u0000", "$name"]);
                }

                return null;

            default:
                throw new InvalidOperationException(kind);
        }
    }

    /// <summary>One byte-level mutation of a definition file's bytes.</summary>
    internal static (string Kind, byte[] Bytes) MutateBytes(byte[] original, int seed, int caseNumber)
    {
        var random = FuzzRun.CaseRandom(seed, caseNumber);
        var kind = ByteKinds[random.Next(ByteKinds.Length)];
        var bytes = new List<byte>(original);
        switch (kind)
        {
            case "truncate":
                bytes = bytes.Take(random.Next(bytes.Count)).ToList();
                break;
            case "flip-bytes":
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)random.Next(1, 256);
                }

                break;
            case "insert-bytes":
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    var chunk = new byte[random.Next(1, 20)];
                    random.NextBytes(chunk);
                    bytes.InsertRange(random.Next(bytes.Count + 1), chunk);
                }

                break;
            case "insert-utf8":
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    bytes.InsertRange(random.Next(bytes.Count + 1), Encoding.UTF8.GetBytes(RandomText(random, random.Next(1, 12))));
                }

                break;
            case "invalid-utf8":
            {
                byte[][] invalid = [[0xFF], [0xC0, 0x80], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xBD], [0xF0, 0x9F, 0x98], [0xFE, 0xFF], [0xC3]];
                var strings = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] == (byte)'"').ToList();
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    // Inside a string (after a quote) most of the time: that is where a reader decodes text.
                    var at = strings.Count > 0 && random.Next(4) > 0 ? strings[random.Next(strings.Count)] + 1 : random.Next(bytes.Count + 1);
                    bytes.InsertRange(Math.Min(at, bytes.Count), invalid[random.Next(invalid.Length)]);
                }

                break;
            }

            case "bad-escape":
            {
                // Escapes a reader rejects or cannot turn into a string: lone surrogates, short or bad \u, unknown letters.
                string[] escapes = ["\\uD800", "\\uDFFF", "\\uDC00\\uD800", "\\u12", "\\uZZZZ", "\\x41", "\\", "\\U0041", "\\u0000"];
                var strings = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] == (byte)'"').ToList();
                for (var i = random.Next(1, 3); i > 0; i--)
                {
                    var at = strings[random.Next(strings.Count)] + 1;
                    bytes.InsertRange(Math.Min(at, bytes.Count), Encoding.UTF8.GetBytes(escapes[random.Next(escapes.Length)]));
                }

                break;
            }

            case "delete-span":
            {
                var at = random.Next(bytes.Count);
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 200)));
                break;
            }

            case "empty":
                bytes = random.Next(4) switch
                {
                    0 => [],
                    1 => [.. " \r\n\t"u8],
                    2 => [.. "null"u8],
                    _ => [.. "// only a comment\n"u8],
                };
                break;
            case "bom":
                bytes.InsertRange(random.Next(3) == 0 ? random.Next(bytes.Count) : 0, random.Next(3) switch
                {
                    0 => [0xEF, 0xBB, 0xBF],
                    1 => [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF],
                    _ => [0xEF, 0xBB],
                });
                if (random.Next(4) == 0)
                {
                    bytes = bytes.Take(3).ToList(); // a BOM alone, or cut
                }

                break;
            case "utf16":
            {
                var text = Encoding.UTF8.GetString(original);
                bytes = [.. (random.Next(2) == 0 ? Encoding.Unicode : Encoding.BigEndianUnicode).GetPreamble(), .. (random.Next(2) == 0 ? Encoding.Unicode : Encoding.BigEndianUnicode).GetBytes(text)];
                break;
            }

            case "random-bytes":
            {
                var random1 = new byte[random.Next(0, 2048)];
                random.NextBytes(random1);
                bytes = [.. random1];
                break;
            }

            case "nul-and-controls":
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(0, 32));
                }

                break;
            default:
                throw new InvalidOperationException(kind);
        }

        return (kind, bytes.ToArray());
    }

    private sealed record Slot(JsonNode Parent, string? Key, int Index, JsonNode? Value);

    /// <summary>Every value of the tree with where it is.</summary>
    private static List<Slot> Slots(JsonNode root)
    {
        var slots = new List<Slot>();
        void Walk(JsonNode node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                    {
                        slots.Add(new Slot(o, key, -1, value));
                        if (value is not null)
                        {
                            Walk(value);
                        }
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        slots.Add(new Slot(a, null, i, a[i]));
                        if (a[i] is { } value)
                        {
                            Walk(value);
                        }
                    }

                    break;
            }
        }

        Walk(root);
        return slots;
    }

    private static void Replace(Slot slot, JsonNode? value)
    {
        if (slot.Key is not null)
        {
            slot.Parent.AsObject()[slot.Key] = value;
        }
        else
        {
            slot.Parent.AsArray()[slot.Index] = value;
        }
    }

    private static void RenameKey(JsonObject o, string from, string to)
    {
        var properties = o.Select(p => (Key: p.Key == from ? to : p.Key, Value: p.Value?.DeepClone())).ToList();
        o.Clear();
        foreach (var (key, value) in properties)
        {
            o[key] = value;
        }
    }

    private static string Typo(string key, Random random)
    {
        if (key.Length == 0)
        {
            return "x";
        }

        var i = random.Next(key.Length);
        return random.Next(5) switch
        {
            0 => key.Remove(i, 1),
            1 => key.Insert(i, ((char)random.Next('a', 'z' + 1)).ToString()),
            2 when key.Length > 1 && i < key.Length - 1 => string.Concat(key.AsSpan(0, i), key[i + 1].ToString(), key[i].ToString(), key.AsSpan(i + 2)),
            3 => key.ToUpperInvariant(),
            _ => key + " ",
        };
    }

    /// <summary>A string from the list, or a value of another type.</summary>
    private static JsonNode? Garbage(Random random, string[] strings) => random.Next(5) == 0 ? RandomValue(random, 1) : JsonValue.Create(strings[random.Next(strings.Length)]);

    private static JsonNode? RandomValue(Random random, int depth, JsonValueKind differentFrom = JsonValueKind.Undefined)
    {
        while (true)
        {
            var choice = random.Next(depth > 2 ? 5 : 7);
            var kind = choice switch
            {
                0 => JsonValueKind.String,
                1 => JsonValueKind.Number,
                2 => JsonValueKind.Null,
                3 => JsonValueKind.True,
                4 => JsonValueKind.False,
                5 => JsonValueKind.Array,
                _ => JsonValueKind.Object,
            };
            if (kind == differentFrom || (differentFrom is JsonValueKind.True or JsonValueKind.False && kind is JsonValueKind.True or JsonValueKind.False))
            {
                continue;
            }

            return kind switch
            {
                JsonValueKind.String => JsonValue.Create(RandomText(random, random.Next(0, 10))),
                JsonValueKind.Number => random.Next(4) switch
                {
                    0 => JsonValue.Create(random.Next(-5, 5)),
                    1 => JsonValue.Create(random.NextDouble() * 1e6),
                    2 => JsonValue.Create(long.MaxValue),
                    _ => JsonNode.Parse("-1e999"),
                },
                JsonValueKind.Null => null,
                JsonValueKind.True => JsonValue.Create(true),
                JsonValueKind.False => JsonValue.Create(false),
                JsonValueKind.Array => new JsonArray(Enumerable.Range(0, random.Next(0, 3)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
                _ => RandomObject(random, depth),
            };
        }
    }

    private static JsonObject RandomObject(Random random, int depth)
    {
        var o = new JsonObject();
        string[] keys = ["name", "value", "converter", "path", "message", "code", "op", "field", "x", "$c", ""];
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            o[keys[random.Next(keys.Length)]] = RandomValue(random, depth + 1);
        }

        return o;
    }

    /// <summary>Random text: ASCII, CJK, emoji, controls, quotes, backslashes and template characters.</summary>
    private static string RandomText(Random random, int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(8))
            {
                case 0: sb.Append((char)random.Next(0x20, 0x7F)); break;
                case 1: sb.Append((char)random.Next(0x4E00, 0x9FFF)); break;
                case 2: sb.Append(char.ConvertFromUtf32(random.Next(0x1F600, 0x1F64F))); break;
                case 3: sb.Append((char)random.Next(0, 0x20)); break;
                case 4: sb.Append(Quotes[random.Next(Quotes.Length)]); break;
                case 5: sb.Append(TemplateChars[random.Next(TemplateChars.Length)]); break;
                case 6: sb.Append((char)random.Next(0x80, 0x800)); break;
                default: sb.Append("data: "); break;
            }
        }

        return sb.ToString();
    }

    private const string Quotes = "\"\\/'";

    private const string TemplateChars = "${}:-?|[].";

    private static string HugeString(Random random)
    {
        var length = random.Next(100_000, 150_000);
        return random.Next(3) switch
        {
            0 => new string('a', length),
            1 => string.Concat(Enumerable.Repeat("中文😀", length / 4)),
            _ => RandomText(random, length / 4),
        };
    }
}
