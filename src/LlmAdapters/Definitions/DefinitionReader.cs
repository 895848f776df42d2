using System.Text.Json;
using LlmAdapters.Streaming;

namespace LlmAdapters.Definitions;

/// <summary>Reads one definition file into an <see cref="AdapterDefinition"/>, collecting every problem instead of stopping at the first.</summary>
internal static partial class DefinitionReader
{
    /// <summary>Every key a call may have. The JSON Schema in adapters/ lists the same keys.</summary>
    public static readonly IReadOnlyList<string> CallKeys =
    [
        "description", "path", "method", "apitype", "headers", "header", "params", "data", "input_items", "resp", "error",
        "chunk_match", "chunk_filter", "stream_format", "stream_done", "stream_mode",
        "query_path", "query_url", "query_method", "query_headers", "query_params", "query_data", "query_resp",
        "query_status", "query_done", "query_failed", "query_error", "query_error_code",
        "poll_interval", "poll_backoff", "poll_max_interval", "poll_timeout",
        "submit_resp", "url_hosts", "sign", "max_inputs", "auth",
    ];

    /// <summary>Keys that only a stream call reads.</summary>
    public static readonly IReadOnlyList<string> StreamOnlyKeys = ["chunk_match", "chunk_filter", "stream_format", "stream_done", "stream_mode"];

    /// <summary>Keys of a poll, which only an async call reads (a stream call with a stream step reads its request keys).</summary>
    public static readonly IReadOnlyList<string> PollOnlyKeys =
        ["query_resp", "query_status", "query_done", "query_failed", "query_error", "query_error_code", "poll_interval", "poll_backoff", "poll_max_interval", "poll_timeout"];

    /// <summary>The keys of a follow-up request read from an earlier response (an async call's poll, a stream call's stream step).</summary>
    public static readonly IReadOnlyList<string> StepRequestKeys = ["query_path", "query_url", "query_method", "query_headers", "query_params", "query_data"];

    public static readonly IReadOnlyList<string> ParameterItemKeys = ["name", "value", "converter", "args"];

    public static readonly IReadOnlyList<string> ResponseItemKeys = ["name", "value", "converter", "args", "join", "tool_call"];

    /// <summary>The keys of a resp item's <c>tool_call</c> object.</summary>
    public static readonly IReadOnlyList<string> ToolCallKeys = ["index", "id", "name", "arguments"];

    public static readonly IReadOnlyList<string> ChunkFilterKeys = ["name", "op", "value", "field"];

    public static readonly IReadOnlyList<string> ErrorKeys = ["message", "code", "ok_codes", "retry_codes"];

    public static readonly IReadOnlyList<string> InputKinds = ["prompt", "image", "video"];

    public static readonly IReadOnlyList<string> StreamFormats = FramingNames();

    public static readonly IReadOnlyList<string> StreamModes = ["delta", "cumulative"];

    /// <summary>The framing table's names, in its order (a loop: a lambda is one more method for a cold load to compile).</summary>
    private static string[] FramingNames()
    {
        var framings = Streaming.StreamFormats.All;
        var names = new string[framings.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = framings[i].Name;
        }

        return names;
    }

    private const int MaxDepth = 64;

    public static AdapterDefinition? Read(ReadOnlyMemory<byte> utf8, string file, List<LlmDefinitionProblem> problems)
    {
        var bytes = utf8.Span.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            var at = FirstInvalidUtf8(bytes.Span);
            var line = bytes.Span[..at].Count((byte)'\n') + 1;
            problems.Add(new LlmDefinitionProblem(file, line, "$", $"the file is not valid UTF-8 (byte {at + 1}, line {line}); save it as UTF-8"));
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? -1) + 1;
            var position = e.BytePositionInLine is { } p ? $", position {p + 1}" : string.Empty;
            problems.Add(new LlmDefinitionProblem(file, line, string.IsNullOrEmpty(e.Path) ? "$" : e.Path,
                $"the file is not valid JSON (line {line}{position}): {FirstSentence(e.Message)}. Fix the syntax; comments (// and /* */) and trailing commas are allowed."));
            return null;
        }

        using (document)
        {
            var lines = JsonLineMap.For(bytes);
            var reader = new Reader(file, lines, problems);
            return reader.ReadAdapter(document.RootElement);
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[256];
        var at = 0;
        while (at < bytes.Length)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes[at..], chars, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            at += read;
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                return at;
            }

            if (status == System.Buffers.OperationStatus.Done)
            {
                break;
            }
        }

        return at;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    private sealed partial class Reader(string file, JsonLineMap lines, List<LlmDefinitionProblem> problems)
    {
        public AdapterDefinition? ReadAdapter(JsonElement root)
        {
            var location = new SourceLocation(file, "$", lines);
            if (root.ValueKind != JsonValueKind.Object)
            {
                Problem(location, $"the file must hold one JSON object with \"name\" and one key per call, not a JSON {Kind(root)}");
                return null;
            }

            string? name = null;
            var calls = new List<CallDefinition>();
            IReadOnlyList<ConverterDefinition> converters = [];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                var at = location.Child(property.Name, lines);
                if (!seen.Add(property.Name))
                {
                    Problem(at, property.Name == "name"
                        ? "\"name\" appears twice; keep one"
                        : $"the call name '{property.Name}' appears twice; rename or remove one");
                    continue;
                }

                if (property.Name.StartsWith('$'))
                {
                    continue; // metadata such as "$schema"
                }

                if (property.Name == "name")
                {
                    name = RequireString(property.Value, at, "the adapter's name, such as \"openai\"");
                    continue;
                }

                if (property.Name == ConvertersKey)
                {
                    converters = ReadConverters(property.Value, at);
                    continue;
                }

                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    Problem(at, $"'{property.Name}' is read as a call and must be an object with \"path\", \"method\", \"apitype\"...; if it is metadata, start its name with '$'");
                    continue;
                }

                if (ReadCall(property.Name, property.Value, at) is { } call)
                {
                    calls.Add(call);
                }
            }

            if (name is null && !seen.Contains("name"))
            {
                Problem(location, "the file has no \"name\"; add \"name\": \"<adapter name>\" (profiles refer to the adapter by it)");
            }

            if (calls.Count == 0 && seen.Any(k => k != "name" && k != ConvertersKey && !k.StartsWith('$')) == false)
            {
                Problem(location, "the file defines no call; add one, such as \"chat\": { \"path\": \"/chat/completions\", \"method\": \"POST\", \"apitype\": \"sync\", ... }");
            }

            return name is null ? null : new AdapterDefinition(name, location, calls) { Converters = converters };
        }

        private CallDefinition? ReadCall(string name, JsonElement call, SourceLocation at)
        {
            var before = problems.Count;
            var seen = CheckCallKeys(call, at, name);
            if (seen.Contains("headers") && seen.Contains("header"))
            {
                Problem(at.Child("header", lines), $"call '{name}' has both \"headers\" and \"header\"; they mean the same, keep one");
            }

            string? path = null;
            if (call.TryGetProperty("path", out var pathValue))
            {
                path = RequireString(pathValue, at.Child("path", lines), "the URL path after the base URL, such as \"/chat/completions\"");
            }
            else
            {
                Problem(at, $"call '{name}' has no \"path\"; add the URL path after the base URL, such as \"path\": \"/chat/completions\"");
            }

            // Null when the apitype is invalid: the checks that depend on it are then skipped, the others still run.
            LlmApiType? apiType = LlmApiType.Sync;
            if (call.TryGetProperty("apitype", out var apiTypeValue))
            {
                var apiAt = at.Child("apitype", lines);
                var text = RequireString(apiTypeValue, apiAt, "sync, stream or async");
                switch (text is null ? null : InvariantCase.ToLower(text.Trim()))
                {
                    case null: apiType = null; break;
                    case "sync": apiType = LlmApiType.Sync; break;
                    case "stream": apiType = LlmApiType.Stream; break;
                    case "async": apiType = LlmApiType.Async; break;
                    default:
                        apiType = null;
                        Problem(apiAt, $"apitype '{text}' of call '{name}' is unknown: write sync, stream or async{Internal.DidYouMean.Hint(text!, ["sync", "stream", "async"])}");
                        break;
                }
            }

            CheckKeysForApiType(call, at, name, apiType);

            var request = ReadRequest(call, at, name, path);
            var resp = call.TryGetProperty("resp", out var respValue) ? ReadResponseItems(respValue, at.Child("resp", lines), "resp") : [];

            IReadOnlyList<string>? inputs = null;
            if (call.TryGetProperty("input_items", out var inputValue))
            {
                inputs = ReadInputItems(inputValue, at.Child("input_items", lines));
            }

            var error = call.TryGetProperty("error", out var errorValue) ? ReadError(errorValue, at.Child("error", lines)) : null;
            var stream = ReadStream(call, at);
            var poll = ReadPoll(call, at, name, apiType, request?.Headers ?? []);
            var submitResp = call.TryGetProperty("submit_resp", out var submitValue) ? ReadResponseItems(submitValue, at.Child("submit_resp", lines), "submit_resp") : [];
            var urlHosts = call.TryGetProperty("url_hosts", out var hostsValue) ? ReadHosts(hostsValue, at.Child("url_hosts", lines)) : null;
            var sign = ReadSign(call, at);
            var auth = ReadAuth(call, at, name);

            int? maxInputs = null;
            if (call.TryGetProperty("max_inputs", out var maxInputsValue))
            {
                if (maxInputsValue.ValueKind == JsonValueKind.Number && maxInputsValue.TryGetInt32(out var m) && m >= 1)
                {
                    maxInputs = m;
                }
                else
                {
                    Problem(at.Child("max_inputs", lines), $"\"max_inputs\" must be a whole number of at least 1: the most texts one request of call '{name}' may carry (longer Inputs lists go in batches)");
                }
            }

            string? description = null;
            if (call.TryGetProperty("description", out var descriptionValue))
            {
                description = RequireString(descriptionValue, at.Child("description", lines), "a sentence saying what the call does");
            }

            // A call with problems is still returned (its file is rejected anyway), so that the compiler reports its own
            // problems too: every problem of a call at once.
            if (request is null)
            {
                return null;
            }

            return new CallDefinition
            {
                Name = name,
                Location = at,
                ApiType = apiType ?? LlmApiType.Sync,
                HasProblems = problems.Count > before,
                SubmitResp = submitResp,
                UrlHosts = urlHosts,
                Description = description,
                Request = request,
                InputItems = inputs,
                Resp = resp,
                Error = error,
                Stream = stream,
                Poll = poll,
                Sign = sign,
                MaxInputs = maxInputs,
                Auth = auth,
            };
        }

        /// <summary>Reports a key given twice or unknown; returns the keys the call has.</summary>
        /// <remarks>
        /// A method of its own, so that <see cref="ReadCall"/> has no loop: the runtime compiles a method with a loop with
        /// profiling probes in every block (for tiered PGO), which makes the reader's biggest method slower to compile on a cold load.
        /// </remarks>
        private HashSet<string> CheckCallKeys(JsonElement call, SourceLocation at, string name)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in call.EnumerateObject())
            {
                var keyAt = at.Child(property.Name, lines);
                if (!seen.Add(property.Name))
                {
                    Problem(keyAt, $"\"{property.Name}\" appears twice in call '{name}'; keep one");
                }
                else if (!CallKeys.Contains(property.Name) && !property.Name.StartsWith('$'))
                {
                    Problem(keyAt, $"unknown key \"{property.Name}\" in call '{name}'{Internal.DidYouMean.Hint(property.Name, CallKeys)} (known keys: {string.Join(", ", CallKeys)}; keys starting with '$' are ignored)");
                }
            }

            return seen;
        }

        /// <summary>The call's request: <c>data</c>, <c>method</c> (POST with a body, GET without), <c>headers</c> (or <c>header</c>), <c>params</c>; null when it has no path.</summary>
        private RequestDefinition? ReadRequest(JsonElement call, SourceLocation at, string name, string? path)
        {
            var data = call.TryGetProperty("data", out var dataValue) ? ReadItems(dataValue, at.Child("data", lines), "data") : null;
            var method = ReadMethod(call, "method", at, data is null ? "GET" : "POST", "an HTTP method such as POST", m => $"method '{m}' of call '{name}' is not an HTTP method; write GET, POST, PUT, PATCH or DELETE");
            CheckBodyMethod(method, data, at, "data", "method", name);
            var headersKey = call.TryGetProperty("headers", out var headersValue) ? "headers" : call.TryGetProperty("header", out headersValue) ? "header" : null;
            var headers = headersKey is null ? [] : ReadItems(headersValue, at.Child(headersKey, lines), headersKey);
            var parameters = call.TryGetProperty("params", out var paramsValue) ? ReadItems(paramsValue, at.Child("params", lines), "params") : [];
            return path is null ? null : new RequestDefinition(method, path, at.Child("path", lines), headers, parameters, data);
        }

        /// <summary>The stream keys: <c>chunk_match</c>, <c>chunk_filter</c>, <c>stream_format</c> and <c>stream_mode</c> (as enums), <c>stream_done</c>.</summary>
        private StreamDefinition ReadStream(JsonElement call, SourceLocation at)
        {
            string? chunkMatch = null;
            SourceLocation? chunkMatchAt = null;
            if (call.TryGetProperty("chunk_match", out var chunkMatchValue))
            {
                chunkMatchAt = at.Child("chunk_match", lines);
                chunkMatch = RequireString(chunkMatchValue, chunkMatchAt, "a regular expression such as \"data: (.*)\"");
            }

            var filters = call.TryGetProperty("chunk_filter", out var filterValue) ? ReadFilters(filterValue, at.Child("chunk_filter", lines)) : [];
            var format = ReadChoice(call, "stream_format", at, StreamFormats, "lines") is { } formatName ? Streaming.StreamFormats.Parse(formatName) : StreamFormat.Lines;
            var mode = ReadChoice(call, "stream_mode", at, StreamModes, "delta") == "cumulative" ? StreamMode.Cumulative : StreamMode.Delta;
            string? streamDone = null;
            if (call.TryGetProperty("stream_done", out var doneValue))
            {
                streamDone = RequireString(doneValue, at.Child("stream_done", lines), "the payload that ends the stream, such as \"[DONE]\"");
            }

            return new StreamDefinition(format, mode, streamDone, chunkMatch, chunkMatchAt, filters);
        }

        /// <summary>The poll keys (<c>query_*</c>, <c>poll_*</c>); null when the call has no <c>query_path</c> (an async call must have one).</summary>
        private PollDefinition? ReadPoll(JsonElement call, SourceLocation at, string name, LlmApiType? apiType, IReadOnlyList<ParameterItem> callHeaders)
        {
            string? queryPath = null;
            var isUrl = false;
            var pathKey = "query_path";
            if (call.TryGetProperty("query_path", out var queryPathValue))
            {
                queryPath = RequireString(queryPathValue, at.Child("query_path", lines), "the URL path of the query request, such as \"/tasks/${queryid}\"");
                if (call.TryGetProperty("query_url", out _))
                {
                    Problem(at.Child("query_url", lines), $"call '{name}' has both \"query_path\" and \"query_url\"; keep one (query_url is a whole URL read from the submit response, query_path a path after the base URL)");
                }
            }
            else if (call.TryGetProperty("query_url", out var queryUrlValue))
            {
                pathKey = "query_url";
                isUrl = true;
                queryPath = RequireString(queryUrlValue, at.Child("query_url", lines), "the whole URL of the next request, read from the submit response, such as \"${get_url}\"");
            }
            else if (apiType == LlmApiType.Async)
            {
                Problem(at, $"call '{name}' is async but has no \"query_path\"; add the path that is polled for the result, such as \"query_path\": \"/tasks/${{queryid}}\" (or \"query_url\" for a URL the submit response gives)");
            }

            var queryParams = call.TryGetProperty("query_params", out var qp) ? ReadItems(qp, at.Child("query_params", lines), "query_params") : [];
            var queryData = call.TryGetProperty("query_data", out var qd) ? ReadItems(qd, at.Child("query_data", lines), "query_data") : null;
            var queryResp = call.TryGetProperty("query_resp", out var qr) ? ReadResponseItems(qr, at.Child("query_resp", lines), "query_resp") : [];
            // Like data: a query body makes the query a POST unless query_method says otherwise (a GET with a body is refused).
            var queryMethod = ReadMethod(call, "query_method", at, queryData is { Count: > 0 } ? "POST" : "GET", "an HTTP method such as GET", m => $"query_method '{m}' of call '{name}' is not an HTTP method; write GET or POST");
            CheckBodyMethod(queryMethod, queryData, at, "query_data", "query_method", name);
            if (queryData is { Count: 0 })
            {
                queryData = null; // an empty query_data (the format's example writes one) sends no body
            }

            var queryHeaders = call.TryGetProperty("query_headers", out var qh) ? ReadItems(qh, at.Child("query_headers", lines), "query_headers") : null;
            string? queryStatus = null;
            if (call.TryGetProperty("query_status", out var qs))
            {
                queryStatus = RequireString(qs, at.Child("query_status", lines), "the key path of the task status, such as \"output.task_status\"");
            }

            string? queryError = null;
            if (call.TryGetProperty("query_error", out var qe))
            {
                queryError = RequireString(qe, at.Child("query_error", lines), "the key path of the failure message, such as \"output.message\"");
            }

            string? queryErrorCode = null;
            if (call.TryGetProperty("query_error_code", out var qec))
            {
                queryErrorCode = RequireString(qec, at.Child("query_error_code", lines), "the key path of a failed task's code, such as \"output.code\"");
            }

            var queryDone = call.TryGetProperty("query_done", out var qdone) ? ReadStrings(qdone, at.Child("query_done", lines), "query_done", "[\"SUCCEEDED\"]") : null;
            var queryFailed = call.TryGetProperty("query_failed", out var qfail) ? ReadStrings(qfail, at.Child("query_failed", lines), "query_failed", "[\"FAILED\", \"CANCELED\"]") : null;
            var pollInterval = ReadSeconds(call, "poll_interval", at, 0.001, 86_400);
            var pollBackoff = ReadSeconds(call, "poll_backoff", at, 1, 10);
            var pollMaxInterval = ReadSeconds(call, "poll_max_interval", at, 0.001, 86_400);
            var pollTimeout = ReadSeconds(call, "poll_timeout", at, 0.001, 7 * 86_400);
            if (queryPath is null)
            {
                return null;
            }

            // Without query_headers the query reuses the call's headers: vendors authenticate polls the same way.
            var request = new RequestDefinition(queryMethod, queryPath, at.Child(pathKey, lines), queryHeaders ?? callHeaders, queryParams, queryData) { IsUrl = isUrl };
            return new PollDefinition(request, queryResp, queryStatus, queryDone, queryFailed, queryError, pollInterval, pollBackoff, pollMaxInterval, pollTimeout) { ErrorCode = queryErrorCode };
        }

        /// <summary>Reports the keys a call of <paramref name="apiType"/> does not read (nothing when the apitype is invalid).</summary>
        private void CheckKeysForApiType(JsonElement call, SourceLocation at, string name, LlmApiType? apiType)
        {
            if (apiType is not { } type)
            {
                return;
            }

            var hasStep = call.TryGetProperty("query_path", out _) || call.TryGetProperty("query_url", out _);
            foreach (var property in call.EnumerateObject())
            {
                CheckKeyForApiType(property.Name, at, name, type, hasStep);
            }
        }

        // A method of its own, as ReadItem is (see there).
        private void CheckKeyForApiType(string key, SourceLocation at, string name, LlmApiType type, bool hasStep)
        {
            var wrong = type switch
            {
                LlmApiType.Sync => StreamOnlyKeys.Contains(key) ? "stream" : PollOnlyKeys.Contains(key) || StepRequestKeys.Contains(key) ? "async" : key == "submit_resp" ? "stream" : null,
                LlmApiType.Stream => PollOnlyKeys.Contains(key) ? "async" : key == "submit_resp" && !hasStep ? "stream-step" : null,
                LlmApiType.Async => StreamOnlyKeys.Contains(key) ? "stream" : key == "submit_resp" ? "stream" : null,
                _ => throw new System.Diagnostics.UnreachableException($"apitype {type} has no key rule."),
            };
            if (wrong is null)
            {
                return;
            }

            var apiText = InvariantCase.ToLower(type.ToString());
            Problem(at.Child(key, lines), wrong switch
            {
                "stream-step" => $"\"submit_resp\" of call '{name}' maps the submit response of a stream call that streams from a URL the submit returns; add \"query_url\" (or \"query_path\"), or remove \"submit_resp\"",
                "stream" when key == "submit_resp" => $"\"submit_resp\" is only for stream calls with \"query_url\" (call '{name}' is {apiText}; an async call's submit is mapped by \"resp\"); remove it",
                _ => $"\"{key}\" is only read by {wrong} calls, and call '{name}' is {apiText}: it would be silently ignored; remove it or set \"apitype\": \"{wrong}\"",
            });
        }

        /// <summary>A body with GET (or HEAD) is refused: HTTP gives it no meaning, and many servers and proxies drop it.</summary>
        private void CheckBodyMethod(string method, IReadOnlyList<ParameterItem>? body, SourceLocation at, string bodyKey, string methodKey, string name)
        {
            if (body is { Count: > 0 } && method is "GET" or "HEAD")
            {
                Problem(at.Child(methodKey, lines), $"call '{name}' sends \"{bodyKey}\" with {methodKey} {method}, which has no body; write {methodKey} POST, or move the items to \"{(bodyKey == "data" ? "params" : "query_params")}\" (the query string)");
            }
        }

        /// <summary><c>url_hosts</c>: host names (or <c>*.domain</c>) that URLs read from a response may point to.</summary>
        private List<string> ReadHosts(JsonElement value, SourceLocation at)
        {
            var hosts = new List<string>();
            if (value.ValueKind != JsonValueKind.Array)
            {
                Problem(at, $"\"url_hosts\" must be an array of host names such as [\"api.replicate.com\", \"*.replicate.net\"], not a JSON {Kind(value)}");
                return hosts;
            }

            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                var itemAt = at.Child(index++, lines);
                var host = RequireString(element, itemAt, "a host name such as \"api.replicate.com\"");
                if (host is null)
                {
                    continue;
                }

                var bare = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
                if (bare.Length == 0 || !UrlSyntax.IsHostName(bare) || bare.Contains('*'))
                {
                    Problem(itemAt, $"'{host}' is not a host name; write one such as \"api.replicate.com\" or \"*.replicate.net\" (no scheme, port or path)");
                    continue;
                }

                hosts.Add(InvariantCase.ToLower(host));
            }

            return hosts;
        }

        /// <summary>True for an upper-case HTTP method name (letters, '-' and '_'); a loop, not LINQ, so a cold load compiles no lambda for it.</summary>
        private static bool IsMethodName(string method)
        {
            foreach (var c in method)
            {
                if (c is not (>= 'A' and <= 'Z' or '-' or '_'))
                {
                    return false;
                }
            }

            return method.Length > 0;
        }

        /// <summary>An HTTP method key, upper case; <paramref name="fallback"/> when absent. <paramref name="invalid"/> makes the message for a method that is not one.</summary>
        private string ReadMethod(JsonElement call, string key, SourceLocation at, string fallback, string expected, Func<string, string> invalid)
        {
            if (!call.TryGetProperty(key, out var value))
            {
                return fallback;
            }

            var keyAt = at.Child(key, lines);
            var method = RequireString(value, keyAt, expected) is { } text ? InvariantCase.ToUpper(text.Trim()) : fallback;
            if (!IsMethodName(method))
            {
                Problem(keyAt, invalid(method));
                return fallback; // reported; the compiler, which still sees the call, gets a method it can build
            }

            return method;
        }

        private List<ParameterItem> ReadItems(JsonElement value, SourceLocation at, string key)
        {
            var items = new List<ParameterItem>();
            if (value.ValueKind != JsonValueKind.Array)
            {
                Problem(at, $"\"{key}\" must be an array of {{\"name\": ..., \"value\": ...}} items, not a JSON {Kind(value)}");
                return items;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                if (ReadItem(element, at.Child(index++, lines), key, names) is { } item)
                {
                    items.Add(item);
                }
            }

            return items;
        }

        // One item of a list is a method of its own (as a response item is), so that the loop over the list is a small
        // method: the runtime compiles a method with a loop with profiling probes in every block (for tiered PGO), which
        // makes a big method slower to compile on a cold load.
        private ParameterItem? ReadItem(JsonElement element, SourceLocation itemAt, string key, HashSet<string> names)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(itemAt, $"each item of \"{key}\" must be an object {{\"name\": ..., \"value\": ...}}, not a JSON {Kind(element)}");
                return null;
            }

            CheckKeys(element, itemAt, ParameterItemKeys, $"an item of \"{key}\"");
            var name = element.TryGetProperty("name", out var n) ? RequireString(n, itemAt.Child("name", lines), "the parameter's name") : Missing<string>(itemAt, $"an item of \"{key}\" has no \"name\"; add the {KindOfName(key)}");
            if (!element.TryGetProperty("value", out var v))
            {
                Problem(itemAt, $"item '{name}' of \"{key}\" has no \"value\"; add a constant or a template such as \"${{model}}\"");
                return null;
            }

            var converter = element.TryGetProperty("converter", out var c) ? RequireString(c, itemAt.Child("converter", lines), "a converter name") : null;
            var args = ReadConverterArgs(element, itemAt, c.ValueKind == JsonValueKind.Undefined);
            if (name is null)
            {
                return null;
            }

            if (!names.Add(name) && key is not ("headers" or "header"))
            {
                Problem(itemAt, $"\"{key}\" has two items named '{name}'; keep one");
                return null;
            }

            return new ParameterItem(name, v.Clone(), converter, itemAt) { Args = args };
        }

        /// <summary>An item's <c>args</c> (the argument of its converter, such as join's separator); only with a <c>converter</c>.</summary>
        private JsonElement? ReadConverterArgs(JsonElement item, SourceLocation itemAt, bool noConverter)
        {
            if (!item.TryGetProperty("args", out var args))
            {
                return null;
            }

            if (noConverter)
            {
                Problem(itemAt.Child("args", lines), "\"args\" is the argument of the item's converter, but the item has no \"converter\"; add one (such as \"converter\": \"join\") or remove \"args\"");
                return null;
            }

            return args.Clone();
        }

        private List<ResponseItem> ReadResponseItems(JsonElement value, SourceLocation at, string key)
        {
            var items = new List<ResponseItem>();
            if (value.ValueKind != JsonValueKind.Array)
            {
                Problem(at, $"\"{key}\" must be an array of {{\"name\": ..., \"value\": \"key.path\"}} items, not a JSON {Kind(value)}");
                return items;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                if (ReadResponseItem(element, at.Child(index++, lines), key, names) is { } item)
                {
                    items.Add(item);
                }
            }

            return items;
        }

        // A method of its own, as ReadItem is (see there).
        private ResponseItem? ReadResponseItem(JsonElement element, SourceLocation itemAt, string key, HashSet<string> names)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(itemAt, $"each item of \"{key}\" must be an object {{\"name\": ..., \"value\": \"key.path\"}}, not a JSON {Kind(element)}");
                return null;
            }

            CheckKeys(element, itemAt, ResponseItemKeys, $"an item of \"{key}\"");
            var join = false;
            if (element.TryGetProperty("join", out var joinValue))
            {
                if (joinValue.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    join = joinValue.GetBoolean();
                }
                else
                {
                    Problem(itemAt.Child("join", lines), "\"join\" must be true or false");
                }
            }

            var name = element.TryGetProperty("name", out var n) ? RequireString(n, itemAt.Child("name", lines), "the field name") : Missing<string>(itemAt, $"an item of \"{key}\" has no \"name\"; add the field name, such as \"content\"");
            var path = element.TryGetProperty("value", out var v) ? RequireString(v, itemAt.Child("value", lines), "a key path such as \"choices[0].message.content\"") : Missing<string>(itemAt, $"item '{name}' of \"{key}\" has no \"value\"; add the key path of the field, such as \"choices[0].message.content\"");
            var converter = element.TryGetProperty("converter", out var c) ? RequireString(c, itemAt.Child("converter", lines), "a converter name") : null;
            var args = ReadConverterArgs(element, itemAt, c.ValueKind == JsonValueKind.Undefined);
            if (name is null || path is null)
            {
                return null;
            }

            if (!names.Add(name))
            {
                Problem(itemAt, $"\"{key}\" has two items named '{name}'; keep one");
                return null;
            }

            var toolCall = element.TryGetProperty("tool_call", out var tc) ? ReadToolCall(tc, itemAt.Child("tool_call", lines), name) : null;
            return new ResponseItem(name, path, converter, itemAt) { Join = join, ToolCall = toolCall, Args = args };
        }

        private ToolCallDefinition? ReadToolCall(JsonElement value, SourceLocation at, string? item)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Problem(at, $"\"tool_call\" of resp item '{item}' must be an object {{\"index\"?, \"id\"?, \"name\", \"arguments\"}} of key paths, not a JSON {Kind(value)}");
                return null;
            }

            CheckKeys(value, at, ToolCallKeys, $"\"tool_call\" of resp item '{item}'");
            string? Path(string key) => value.TryGetProperty(key, out var v) ? RequireString(v, at.Child(key, lines), "a key path inside each tool call, such as \"function.name\"") : null;
            var index = Path("index");
            var id = Path("id");
            var name = value.TryGetProperty("name", out _) ? Path("name") : Missing<string>(at, $"\"tool_call\" of resp item '{item}' has no \"name\"; add the key path of the function's name inside each call, such as \"function.name\"");
            var arguments = value.TryGetProperty("arguments", out _) ? Path("arguments") : Missing<string>(at, $"\"tool_call\" of resp item '{item}' has no \"arguments\"; add the key path of the arguments inside each call, such as \"function.arguments\"");
            return name is null || arguments is null ? null : new ToolCallDefinition(index, id, name, arguments, at);
        }

        private List<string> ReadInputItems(JsonElement value, SourceLocation at)
        {
            var inputs = new List<string>();
            if (value.ValueKind != JsonValueKind.Array)
            {
                Problem(at, $"\"input_items\" must be an array such as [\"prompt\", \"image\"], not a JSON {Kind(value)}");
                return inputs;
            }

            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                var itemAt = at.Child(index++, lines);
                var text = RequireString(element, itemAt, "prompt, image or video");
                if (text is null)
                {
                    continue;
                }

                if (!InputKinds.Contains(text))
                {
                    Problem(itemAt, $"input item '{text}' is unknown: write prompt, image or video{Internal.DidYouMean.Hint(text, InputKinds)}");
                    continue;
                }

                inputs.Add(text);
            }

            return inputs;
        }

        private ErrorDefinition? ReadError(JsonElement value, SourceLocation at)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return new ErrorDefinition(value.GetString(), null, DefaultOkCodes, at);
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                Problem(at, $"\"error\" must be a key path (\"error.message\") or an object {{\"message\": ..., \"code\": ..., \"ok_codes\": [...]}}, not a JSON {Kind(value)}");
                return null;
            }

            CheckKeys(value, at, ErrorKeys, "\"error\"");
            var message = value.TryGetProperty("message", out var m) ? RequireString(m, at.Child("message", lines), "the key path of the error message") : null;
            var code = value.TryGetProperty("code", out var c) ? RequireString(c, at.Child("code", lines), "the key path of the error code") : null;
            var ok = ReadCodes(value, at, "ok_codes", "the code values that mean success, such as [0]") ?? DefaultOkCodes;
            var retry = ReadCodes(value, at, "retry_codes", "the in-band error codes worth a retry, such as [18, \"rate_limit_exceeded\"]") ?? [];

            if (message is null && code is null)
            {
                Problem(at, "\"error\" needs \"message\" or \"code\" (key paths into the response body)");
            }

            if (retry.Length > 0 && code is null)
            {
                Problem(at.Child("retry_codes", lines), "\"retry_codes\" are compared with the error code: add \"code\" (the key path of the vendor's error code)");
            }

            return new ErrorDefinition(message, code, ok, at) { RetryCodes = retry };
        }

        /// <summary>A list of code values (numbers or strings); null when the key is absent or not an array.</summary>
        /// <remarks>An array, not a list: a list of a struct type is generic code of its own to compile at a cold load.</remarks>
        private JsonElement[]? ReadCodes(JsonElement error, SourceLocation at, string key, string what)
        {
            if (!error.TryGetProperty(key, out var list))
            {
                return null;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                Problem(at.Child(key, lines), $"\"{key}\" must be an array of {what}");
                return null;
            }

            var codes = new JsonElement[list.GetArrayLength()];
            var count = 0;
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                if (element.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                {
                    codes[count++] = element.Clone();
                }
                else if (key == "ok_codes")
                {
                    codes[count++] = element.Clone(); // as before: ok_codes compares any value
                }
                else
                {
                    Problem(at.Child(key, lines).Child(index, lines), $"each of \"{key}\" must be a number or a string, not a JSON {Kind(element)}");
                }

                index++;
            }

            if (count < codes.Length)
            {
                var kept = new JsonElement[count];
                Array.Copy(codes, kept, count);
                codes = kept;
            }

            return codes;
        }

        private static readonly JsonElement[] DefaultOkCodes = [Internal.JsonValues.Parse("0"u8), Internal.JsonValues.Parse("\"0\""u8), Internal.JsonValues.EmptyString];

        private List<ChunkFilterDefinition> ReadFilters(JsonElement value, SourceLocation at)
        {
            var filters = new List<ChunkFilterDefinition>();
            if (value.ValueKind == JsonValueKind.Object)
            {
                ReadFilter(value, at, filters);
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    var itemAt = at.Child(index++, lines);
                    if (element.ValueKind != JsonValueKind.Object)
                    {
                        Problem(itemAt, $"each chunk_filter must be an object {{\"name\", \"op\", \"value\", \"field\"}}, not a JSON {Kind(element)}");
                        continue;
                    }

                    ReadFilter(element, itemAt, filters);
                }
            }
            else
            {
                Problem(at, $"\"chunk_filter\" must be an object {{\"name\", \"op\", \"value\", \"field\"}} or an array of them, not a JSON {Kind(value)}");
            }

            return filters;
        }

        private void ReadFilter(JsonElement element, SourceLocation at, List<ChunkFilterDefinition> filters)
        {
            CheckKeys(element, at, ChunkFilterKeys, "a chunk_filter");
            var name = element.TryGetProperty("name", out var n) ? RequireString(n, at.Child("name", lines), "the key path tested in each chunk") : Missing<string>(at, "a chunk_filter has no \"name\"; add the key path it tests, such as \"reply\"");
            var op = element.TryGetProperty("op", out var o) ? RequireString(o, at.Child("op", lines), "a comparison such as \"==\"") : Missing<string>(at, "a chunk_filter has no \"op\"; add one of ==, !=, <, <=, >, >=, contains, startswith, regex, exists, missing");
            var field = element.TryGetProperty("field", out var f) ? RequireString(f, at.Child("field", lines), "the resp item to skip") : null;
            var compared = element.TryGetProperty("value", out var v) ? v.Clone() : Internal.JsonValues.Null;
            if (name is not null && op is not null)
            {
                filters.Add(new ChunkFilterDefinition(name, op, compared, field, at));
            }
        }

        private List<string> ReadStrings(JsonElement value, SourceLocation at, string key, string example)
        {
            var result = new List<string>();
            if (value.ValueKind == JsonValueKind.String)
            {
                result.Add(value.GetString()!);
                return result;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                Problem(at, $"\"{key}\" must be an array of status values such as {example}, not a JSON {Kind(value)}");
                return result;
            }

            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                var itemAt = at.Child(index++, lines);
                if (element.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                {
                    result.Add(Internal.JsonValues.ToText(element));
                }
                else
                {
                    Problem(itemAt, $"each value of \"{key}\" must be a string or a number, not a JSON {Kind(element)}");
                }
            }

            return result;
        }

        private double? ReadSeconds(JsonElement call, string key, SourceLocation at, double min, double max)
        {
            if (!call.TryGetProperty(key, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
            {
                Problem(at.Child(key, lines), key == "poll_backoff"
                    ? $"\"{key}\" must be a number from {min} to {max} (the factor the interval grows by after each poll; 1 for none)"
                    : $"\"{key}\" must be a number of seconds from {min} to {max}");
                return null;
            }

            return number;
        }

        private string? ReadChoice(JsonElement call, string key, SourceLocation at, IReadOnlyList<string> choices, string fallback)
        {
            if (!call.TryGetProperty(key, out var value))
            {
                return fallback;
            }

            var keyAt = at.Child(key, lines);
            var text = RequireString(value, keyAt, string.Join(", ", choices));
            if (text is null)
            {
                return null;
            }

            var normalized = InvariantCase.ToLower(text.Trim());
            if (!choices.Contains(normalized))
            {
                Problem(keyAt, $"{key} '{text}' is unknown: write {string.Join(", ", choices)}{Internal.DidYouMean.Hint(text, choices)}");
                return null;
            }

            return normalized;
        }

        private void CheckKeys(JsonElement element, SourceLocation at, IReadOnlyList<string> known, string what)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!known.Contains(property.Name) && !property.Name.StartsWith('$'))
                {
                    Problem(at.Child(property.Name, lines), $"unknown key \"{property.Name}\" in {what}{Internal.DidYouMean.Hint(property.Name, known)} (known keys: {string.Join(", ", known)})");
                }
            }
        }

        private string? RequireString(JsonElement value, SourceLocation at, string expected)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            Problem(at, $"must be a string ({expected}), not a JSON {Kind(value)}");
            return null;
        }

        private T? Missing<T>(SourceLocation at, string message)
            where T : class
        {
            Problem(at, message);
            return null;
        }

        private void Problem(SourceLocation at, string message) => problems.Add(at.Problem(message));

        private static string KindOfName(string key) => key switch
        {
            "headers" or "header" => "header name, such as \"Authorization\"",
            "params" or "query_params" => "query parameter's name",
            _ => "body key, such as \"model\"",
        };

        private static string Kind(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
    }
}
