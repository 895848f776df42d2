using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmAdapters.Conformance.Tests;

/// <summary>
/// One golden case: <c>Fixtures/&lt;adapter&gt;/&lt;case&gt;/case.json</c> and the body files beside it.
/// The format is described in adapters/README.md ("Fixtures").
/// </summary>
internal sealed class FixtureCase
{
    private FixtureCase(string directory, JsonObject root)
    {
        Directory = directory;
        Name = $"{System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(directory))}/{System.IO.Path.GetFileName(directory)}";
        Root = root;
        Preset = root["preset"]?.GetValue<string>();
        AdapterFile = Preset is null ? Required<string>(root, "adapter") : root["adapter"]?.GetValue<string>();
        Call = root["call"]?.GetValue<string>() ?? "chat";
        Pending = root["pending"]?.GetValue<string>();
        var profile = root["profile"] as JsonObject ?? throw Invalid("has no \"profile\"");
        BaseUrl = Preset is not null && profile["base_url"] is null ? null : new Uri(Required<string>(profile, "base_url"));
        Variables = (profile["variables"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.GetValue<string>());
        Input = root["input"] as JsonObject ?? [];
        LoopbackOrigins = (root["loopback_origins"] as JsonArray ?? []).Select(o => o!.GetValue<string>()).ToArray();
        Exchanges = (root["exchanges"] as JsonArray ?? throw Invalid("has no \"exchanges\"")).Select(e => new Exchange(this, e as JsonObject ?? throw Invalid("has an exchange that is not an object"))).ToArray();
        if (Exchanges.Count == 0)
        {
            throw Invalid("has no exchange");
        }

        Expect = root["expect"] as JsonObject ?? throw Invalid("has no \"expect\"");
    }

    public string Directory { get; }

    /// <summary><c>adapter-folder/case-folder</c>.</summary>
    public string Name { get; }

    public JsonObject Root { get; }

    /// <summary>The definition file in adapters/, such as <c>openai.json</c>; null for a preset case.</summary>
    public string? AdapterFile { get; }

    /// <summary>A preset of adapters/presets.json the profile names instead of an adapter (<c>deepseek</c>): the case then proves the preset's base URL path and default variables.</summary>
    public string? Preset { get; }

    public string Call { get; }

    /// <summary>When set, the case documents a behaviour the engine does not have yet: it is reported as ignored with this reason.</summary>
    public string? Pending { get; }

    /// <summary>The vendor's real base URL; its path is kept, its scheme and host become the loopback server's. Null in a preset case that takes the preset's.</summary>
    public Uri? BaseUrl { get; }

    public Dictionary<string, string?> Variables { get; }

    /// <summary>Other vendor origins that responses name (a stream URL on another host): the fake vendor serves them too, rewritten to its loopback origin.</summary>
    public IReadOnlyList<string> LoopbackOrigins { get; }

    /// <summary>The <see cref="LlmRequest"/>: messages, system, prompt, model, max_tokens, temperature, images, videos, variables.</summary>
    public JsonObject Input { get; }

    /// <summary>The requests the adapter must send, in order, each with the response the fake vendor gives.</summary>
    public IReadOnlyList<Exchange> Exchanges { get; }

    /// <summary>The outcome: text, fields, usage, finish_reason, embeddings; or error.</summary>
    public JsonObject Expect { get; }

    public static FixtureCase Load(string directory)
    {
        var file = System.IO.Path.Combine(directory, "case.json");
        var root = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
            ?? throw new InvalidDataException($"{file} must hold one JSON object");
        return new FixtureCase(directory, root);
    }

    public LlmRequest ToRequest()
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in Input["variables"] as JsonObject ?? [])
        {
            variables[name] = value?.DeepClone();
        }

        return new LlmRequest
        {
            Call = Call,
            Messages = (Input["messages"] as JsonArray ?? []).Select(m => new LlmMessage(Required<string>(m!, "role"), m!["content"]?.GetValue<string>() ?? string.Empty)
            {
                Images = Media(m!["images"]),
                ToolCalls = (m["tool_calls"] as JsonArray ?? []).Select(c => new LlmToolCall(Required<string>(c!, "id"), Required<string>(c!, "name"), c!["arguments"]?.ToJsonString() ?? "{}")).ToArray(),
                ToolCallId = m["tool_call_id"]?.GetValue<string>(),
            }).ToArray(),
            Tools = (Input["tools"] as JsonArray ?? []).Select(t => new LlmTool(Required<string>(t!, "name"), t!["description"]?.GetValue<string>(), JsonSerializer.SerializeToElement(t["parameters"]))).ToArray(),
            ToolChoice = Input["tool_choice"] switch
            {
                null => null,
                JsonObject named => LlmToolChoice.Tool(Required<string>(named, "name")),
                var mode => mode.GetValue<string>() switch
                {
                    "auto" => LlmToolChoice.Auto,
                    "none" => LlmToolChoice.None,
                    "required" => LlmToolChoice.Required,
                    var other => throw Invalid($"has tool_choice '{other}'"),
                },
            },
            ResponseFormat = Input["response_format"] switch
            {
                null => null,
                JsonObject { } format when format["type"]?.GetValue<string>() == "json" => LlmResponseFormat.Json,
                JsonObject { } format => LlmResponseFormat.JsonSchema(Required<string>(format, "name"), JsonSerializer.SerializeToElement(format["schema"]), format["description"]?.GetValue<string>()),
                _ => throw Invalid("has a response_format that is not an object"),
            },
            Prompt = Input["prompt"]?.GetValue<string>(),
            System = Input["system"]?.GetValue<string>(),
            Model = Input["model"]?.GetValue<string>(),
            MaxTokens = Input["max_tokens"]?.GetValue<int>(),
            Temperature = Input["temperature"]?.GetValue<double>(),
            Images = Media(Input["images"]),
            Videos = Media(Input["videos"]),
            Inputs = (Input["inputs"] as JsonArray ?? []).Select(i => i!.GetValue<string>()).ToArray(),
            Dimensions = Input["dimensions"]?.GetValue<int>(),
            Variables = variables,
        };
    }

    private static LlmMedia[] Media(JsonNode? list) => (list as JsonArray ?? []).Select(item =>
    {
        var mime = item!["mime_type"]?.GetValue<string>();
        return item["data"] is { } data
            ? LlmMedia.FromBytes(Convert.FromBase64String(data.GetValue<string>()), mime ?? "application/octet-stream")
            : LlmMedia.FromUrl(Required<string>(item, "url"), mime);
    }).ToArray();

    private static T Required<T>(JsonNode node, string key) => node[key] is { } value ? value.GetValue<T>() : throw new InvalidDataException($"\"{key}\" is missing in {node.ToJsonString()}");

    private InvalidDataException Invalid(string what) => new($"{Directory}/case.json {what}");

    /// <summary>One request the adapter must send and the response the fake vendor gives to it.</summary>
    internal sealed class Exchange
    {
        public Exchange(FixtureCase owner, JsonObject exchange)
        {
            var request = exchange["request"] as JsonObject ?? throw owner.Invalid("has an exchange without \"request\"");
            var response = exchange["response"] as JsonObject ?? throw owner.Invalid("has an exchange without \"response\"");
            Method = request["method"]?.GetValue<string>() ?? "POST";
            PathAndQuery = Required<string>(request, "path");
            Headers = (request["headers"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
            HeaderPatterns = (request["header_patterns"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
            AbsentHeaders = (request["absent_headers"] as JsonArray ?? []).Select(h => h!.GetValue<string>()).ToArray();
            Body = request["body_file"] is { } bodyFile ? JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(owner.Directory, bodyFile.GetValue<string>()))) : request["body"]?.DeepClone();
            HasBody = request.ContainsKey("body") || request.ContainsKey("body_file");
            Status = response["status"]?.GetValue<int>() ?? 200;
            ResponseHeaders = (response["headers"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
            ResponseBody = response["body_file"] is { } file
                ? File.ReadAllBytes(System.IO.Path.Combine(owner.Directory, file.GetValue<string>()))
                : System.Text.Encoding.UTF8.GetBytes(response["body"]?.ToJsonString() ?? string.Empty);
        }

        public string Method { get; }

        /// <summary>The path and query on the vendor's host (<c>/v1/chat/completions</c>, <c>/v1beta/models/x:streamGenerateContent?alt=sse</c>).</summary>
        public string PathAndQuery { get; }

        /// <summary>Headers that must be present with exactly these values (secrets are the fixture's fake keys).</summary>
        public IReadOnlyDictionary<string, string> Headers { get; }

        /// <summary>Headers whose value must match a regular expression: values that change per request, such as a signature over the time and host.</summary>
        public IReadOnlyDictionary<string, string> HeaderPatterns { get; }

        public IReadOnlyList<string> AbsentHeaders { get; }

        /// <summary>True when the body is checked: <see cref="Body"/> JSON, or no body when it is JSON null.</summary>
        public bool HasBody { get; }

        public JsonNode? Body { get; }

        public int Status { get; }

        public IReadOnlyDictionary<string, string> ResponseHeaders { get; }

        /// <summary>The exact bytes the vendor sends.</summary>
        public byte[] ResponseBody { get; }
    }
}
