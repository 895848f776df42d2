
using LlmAdapters.Conversion;
using LlmAdapters.Definitions;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;
using LlmAdapters.Signing;
using LlmAdapters.Streaming;
using LlmAdapters.Templates;

namespace LlmAdapters.Compilation;

/// <summary>Turns read definitions into call plans: templates, key paths, converters and regexes compiled once, with every problem reported at its line.</summary>
internal sealed class PlanCompiler(ConverterRegistry converters, SignerRegistry? signers = null)
{
    private readonly SignerRegistry _signers = signers ?? new SignerRegistry([]);

    public AdapterPlan? Compile(AdapterDefinition adapter, List<LlmDefinitionProblem> problems)
    {
        var before = problems.Count;
        var calls = new List<CallPlan>();
        foreach (var call in adapter.Calls)
        {
            if (CompileCall(adapter.Name, call, problems) is { } plan)
            {
                calls.Add(plan);
            }
        }

        var callsHaveProblems = false;
        foreach (var call in adapter.Calls)
        {
            callsHaveProblems |= call.HasProblems;
        }

        return problems.Count == before && !callsHaveProblems ? new AdapterPlan(adapter.Name, adapter.Location, calls) : null;
    }

    // CompileCall's loops are methods of their own (and loops rather than LINQ: lambdas are methods a cold load has to
    // compile), so that CompileCall has none: the runtime compiles a method with a loop with profiling probes in every block
    // (for tiered PGO), which makes a big method slower to compile on a cold load.

    /// <summary>The first resp item named <c>embeddings</c> (null when there is none), and the other items.</summary>
    private static (ResponseItem? Embeddings, List<ResponseItem> Others) SplitEmbeddingItem(IReadOnlyList<ResponseItem> items)
    {
        ResponseItem? embeddingItem = null;
        var others = new List<ResponseItem>(items.Count);
        foreach (var item in items)
        {
            if (embeddingItem is null && item.Name == EmbeddingReader.ItemName)
            {
                embeddingItem = item;
            }
            else
            {
                others.Add(item);
            }
        }

        return (embeddingItem, others);
    }

    private static InputKinds InputsOf(IReadOnlyList<string> declared)
    {
        var inputs = InputKinds.None;
        foreach (var input in declared)
        {
            inputs |= input switch { "image" => InputKinds.Image, "video" => InputKinds.Video, _ => InputKinds.Prompt };
        }

        return inputs;
    }

    private static bool MapsToolCalls(ResponseMap response)
    {
        foreach (var field in response.Fields)
        {
            if (field.ToolCall is not null)
            {
                return true;
            }
        }

        return false;
    }

    private CallPlan? CompileCall(string adapter, CallDefinition call, List<LlmDefinitionProblem> problems)
    {
        var before = problems.Count;
        var what = $"call '{call.Name}' of adapter '{adapter}'";
        var sign = call.Sign is null ? null : CompileSign(call.Sign, what, problems);
        var request = CompileRequest(call.Request, "", what, problems, sign);
        var (embeddingItem, others) = SplitEmbeddingItem(call.Resp);
        var response = CompileResponse(embeddingItem is null ? call.Resp : others, "resp", what, problems, firstIsText: embeddingItem is null);
        var embeddings = embeddingItem is null ? null : CompileEmbeddings(embeddingItem, call.ApiType, problems);
        if (call.MaxInputs is not null && embeddingItem is null)
        {
            problems.Add(call.Location.Problem($"\"max_inputs\" of call '{call.Name}' splits Inputs into batches, which only an embedding call does; add a resp item named \"embeddings\" (the vectors) or remove \"max_inputs\""));
        }

        var error = CompileError(call.Error, problems);

        var hosts = call.UrlHosts ?? [];
        var poll = call.Poll is null ? null : CompilePoll(call.Poll, call.Location, what, hosts, problems, sign);
        var auth = call.Auth is null ? null : CompileAuth(adapter, call.Auth, call.ApiType, what, problems);
        var submitResponse = CompileResponse(call.SubmitResp, "submit_resp", what, problems);
        var stream = CompileStream(call.Stream, call.ApiType == LlmApiType.Stream, call.Location, response, error, problems);

        InputKinds inputs;
        if (call.InputItems is { } declared)
        {
            inputs = InputsOf(declared);
        }
        else
        {
            // Not declared: a call accepts text, and images or videos when its templates use them.
            var used = request.VariableNames.ToHashSet(StringComparer.Ordinal);
            inputs = InputKinds.Prompt | (used.Contains("images") ? InputKinds.Image : 0) | (used.Contains("videos") ? InputKinds.Video : 0);
        }

        if (request.VariableNames.Contains("tools", StringComparer.Ordinal) && !MapsToolCalls(response))
        {
            problems.Add(call.Location.Problem($"{what} sends ${{tools}} but maps no tool calls: add a resp item {{\"name\": \"tool_calls\", \"value\": ..., \"tool_call\": {{\"name\": ..., \"arguments\": ...}}}}, or the model's calls would be lost"));
        }

        if (problems.Count > before || call.HasProblems)
        {
            return null;
        }

        return new CallPlan(adapter, call, request, response, error, inputs, stream, poll) { SubmitResponse = submitResponse, Embeddings = embeddings, MaxInputs = call.MaxInputs, Auth = auth };
    }

    /// <summary>The <c>embeddings</c> item: a key path read by <see cref="EmbeddingReader"/>, on sync calls only, without converter, alternatives or join.</summary>
    private static EmbeddingReader? CompileEmbeddings(ResponseItem item, LlmApiType apiType, List<LlmDefinitionProblem> problems)
    {
        var before = problems.Count;
        if (apiType != LlmApiType.Sync)
        {
            problems.Add(item.Location.Problem($"resp item 'embeddings' (the vectors of an embedding call) is read from a whole response: the call's apitype must be sync, not {InvariantCase.ToLower(apiType.ToString())}"));
        }

        if (item.Converter is not null || item.Join)
        {
            problems.Add(item.Location.Problem($"resp item 'embeddings' is read straight into float arrays: remove its {(item.Converter is not null ? "\"converter\"" : "\"join\"")}"));
        }

        var alternatives = KeyPath.SplitAlternatives(item.Path);
        if (alternatives.Count > 1)
        {
            problems.Add(item.Location.Problem($"resp item 'embeddings' takes one key path, not alternatives ('{item.Path}')"));
            return null;
        }

        if (!KeyPath.TryParse(alternatives[0], out var path, out var error))
        {
            problems.Add(item.Location.Problem($"resp item 'embeddings': {error}"));
            return null;
        }

        if (!EmbeddingReader.TryCreate(path, out var reader, out error))
        {
            problems.Add(item.Location.Problem($"resp item 'embeddings': {error}"));
            return null;
        }

        return problems.Count > before ? null : reader;
    }

    /// <summary>A call's <c>auth</c>: the token request and the key paths of the token and its lifetime. Async calls cannot have one yet (their polls would go without the token).</summary>
    private AuthPlan? CompileAuth(string adapter, AuthDefinition auth, LlmApiType apiType, string what, List<LlmDefinitionProblem> problems)
    {
        var before = problems.Count;
        if (apiType == LlmApiType.Async)
        {
            problems.Add(auth.Location.Problem("\"auth\" is supported on sync and stream calls only: an async call's polls would be sent without the token. Remove \"auth\" or make the call sync."));
        }

        var request = CompileRequest(auth.Request, "auth ", what, problems, null);
        if (request.VariableNames.Contains(AuthPlan.TokenVariable, StringComparer.Ordinal))
        {
            problems.Add(auth.Location.Problem($"the token call cannot use ${{{AuthPlan.TokenVariable}}}: it is the token it gets"));
        }

        KeyPath? Path(string text, string key)
        {
            if (KeyPath.TryParse(text, out var path, out var error))
            {
                return path;
            }

            problems.Add(auth.Location.Problem($"auth {key}: {error}"));
            return null;
        }

        var token = Path(auth.Token, "token");
        var expiresIn = Path(auth.ExpiresIn, "expires_in");
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < auth.RefreshCodes.Count; i++)
        {
            codes.Add(JsonValues.ToText(auth.RefreshCodes[i]));
        }

        return problems.Count > before || token is null || expiresIn is null
            ? null
            : new AuthPlan(request, token, expiresIn, codes, $"{adapter} {auth.Request.Method} {auth.Request.Path}");
    }

    /// <summary>A <see cref="PollDefinition"/> as a <see cref="PollPlan"/>: its request, items and timings.</summary>
    private PollPlan CompilePoll(PollDefinition poll, SourceLocation callAt, string what, IReadOnlyList<string> hosts, List<LlmDefinitionProblem> problems, SignPlan? sign)
    {
        // The poll goes to the same vendor with the same credentials: signed by the same scheme.
        var request = CompileRequest(poll.Request, "query_", what, problems, sign);
        if (poll.Request.IsUrl)
        {
            request = new RequestPlan(request.MethodName, request.Path, request.Query, request.Headers, request.Body, request.Sign) { IsUrl = true, UrlHosts = hosts };
        }

        var response = CompileResponse(poll.Resp, "query_resp", what, problems);
        var status = poll.Status is null ? null : CompilePathField("status", poll.Status, "query_status", callAt, problems);
        var failure = poll.Error is null ? null : CompilePathField("error", poll.Error, "query_error", callAt, problems);
        var failureCode = poll.ErrorCode is null ? null : CompilePathField("error_code", poll.ErrorCode, "query_error_code", callAt, problems);
        var interval = TimeSpan.FromSeconds(poll.Interval ?? 2);
        return new PollPlan(
            request,
            response,
            status,
            failure,
            poll.Done,
            poll.Failed,
            interval,
            poll.Backoff ?? 1,
            TimeSpan.FromSeconds(poll.MaxInterval ?? Math.Max(30, interval.TotalSeconds)),
            TimeSpan.FromSeconds(poll.Timeout ?? 600))
        {
            ErrorCode = failureCode,
        };
    }

    /// <summary>
    /// A <see cref="StreamDefinition"/> as a <see cref="StreamPlan"/>. Its chunk_match and chunk_filters are checked for
    /// every call (a mistake in them is reported even where they are not used); the plan is made only for a stream call,
    /// on its first use (see <see cref="CallPlan.Stream"/>).
    /// </summary>
    private static Lazy<StreamPlan>? CompileStream(StreamDefinition stream, bool isStreamCall, SourceLocation callAt, ResponseMap response, ErrorMap error, List<LlmDefinitionProblem> problems)
    {
        // The common "literal(.*)" shape runs without a regex, so none is built for it (building one costs milliseconds).
        ChunkMatcher? matcher = null;
        if (stream.ChunkMatch is not null && !ChunkMatcher.TryCreateLiteral(stream.ChunkMatch, out matcher))
        {
            matcher = CreateRegexMatcher(stream, callAt, problems);
        }

        var filters = new List<ChunkFilter>();
        foreach (var filter in stream.ChunkFilters)
        {
            if (CompileFilter(filter, response, problems) is { } compiled)
            {
                filters.Add(compiled);
            }
        }

        return !isStreamCall ? null : new Lazy<StreamPlan>(() => new StreamPlan(stream.Format, matcher, stream.Done ?? "[DONE]", stream.Done is not null, stream.Mode == StreamMode.Cumulative, response, filters, error));
    }

    /// <summary>A <see cref="RequestDefinition"/> (a call's, or its poll's with <paramref name="prefix"/> "query_") as a <see cref="RequestPlan"/>.</summary>
    // CompileRequest's loops are methods of their own, so that it has none (see SplitEmbeddingItem).
    private static void AddPathProblems(List<string> errors, SourceLocation pathAt, string prefix, List<LlmDefinitionProblem> problems)
    {
        foreach (var e in errors)
        {
            problems.Add(pathAt.Problem($"{prefix}path: {e}"));
        }
    }

    private static void CheckHeaderNames(List<CompiledParameter> headers, List<LlmDefinitionProblem> problems)
    {
        foreach (var header in headers)
        {
            if (!IsHeaderName(header.Name))
            {
                problems.Add(header.Site.Location.Problem($"'{header.Name}' is not a valid HTTP header name; use letters, digits and '-'"));
            }
        }
    }

    private RequestPlan CompileRequest(RequestDefinition definition, string prefix, string what, List<LlmDefinitionProblem> problems, SignPlan? sign)
    {
        var (method, path, pathAt, query, headers, body) = (definition.Method, definition.Path, definition.PathLocation, definition.Params, definition.Headers, definition.Data);
        // "${base_url}/x" means the same as "/x": the base URL is prepended to relative paths anyway, and must not be URL-escaped.
        if (path.StartsWith("${base_url}", StringComparison.Ordinal))
        {
            path = path["${base_url}".Length..];
        }

        var pathSite = new TemplateSite($"the {prefix}path of {what}", pathAt);
        var pathErrors = new List<string>();
        var pathTemplate = TemplateCompiler.CompileString(path, null, pathSite, pathErrors);
        AddPathProblems(pathErrors, pathAt, prefix, problems);
        var compiledHeaders = CompileItems(headers, "header", what, problems);
        CheckHeaderNames(compiledHeaders, problems);
        return new RequestPlan(
            method,
            pathTemplate,
            CompileItems(query, prefix + "params item", what, problems),
            compiledHeaders,
            body is null ? null : CompileItems(body, prefix + "data item", what, problems),
            sign);
    }

    /// <summary>True for a valid HTTP header name (an RFC 9110 token): not empty, no control characters, spaces or separators.</summary>
    private static bool IsHeaderName(string name)
    {
        foreach (var c in name)
        {
            if (c <= ' ' || c >= 127 || c is ':' or '(' or ')' or ',' or '/' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"')
            {
                return false;
            }
        }

        return name.Length > 0;
    }

    /// <summary>A call's <c>sign</c>: the named scheme, its parameter items compiled, and <c>${name?}</c> for each parameter not given.</summary>
    private SignPlan? CompileSign(SignDefinition sign, string what, List<LlmDefinitionProblem> problems)
    {
        if (!_signers.TryGet(sign.Scheme, out var signer))
        {
            problems.Add(sign.Location.Problem($"signing scheme '{sign.Scheme}' is unknown{DidYouMean.Hint(sign.Scheme, _signers.Names)}; known schemes: {string.Join(", ", _signers.Names.Order(StringComparer.Ordinal))}. Register your own in code with AddSigner."));
            return null;
        }

        var before = problems.Count;
        var known = signer.Parameters;
        CheckSignParams(sign, known, problems);
        var parameters = CompileItems(sign.Params, "sign param", what, problems);
        AddMissingSignParams(sign, known, what, parameters, problems);
        return problems.Count > before ? null : new SignPlan(signer, parameters);
    }

    // CompileSign's loops are methods of their own, so that it has none (see SplitEmbeddingItem).
    private static void CheckSignParams(SignDefinition sign, IReadOnlyCollection<string> known, List<LlmDefinitionProblem> problems)
    {
        foreach (var item in sign.Params)
        {
            if (!known.Contains(item.Name))
            {
                problems.Add(item.Location.Problem($"signing scheme '{sign.Scheme}' has no parameter '{item.Name}'{DidYouMean.Hint(item.Name, known)}; its parameters: {string.Join(", ", known)}"));
            }
        }
    }

    /// <summary>A parameter of the scheme the call does not give is the optional variable of its name, <c>${name?}</c>.</summary>
    private static void AddMissingSignParams(SignDefinition sign, IReadOnlyCollection<string> known, string what, List<CompiledParameter> parameters, List<LlmDefinitionProblem> problems)
    {
        foreach (var name in known)
        {
            var given = false;
            foreach (var parameter in parameters)
            {
                given |= parameter.Name == name;
            }

            if (given)
            {
                continue;
            }

            var site = new TemplateSite($"sign param '{name}' of {what}", sign.Location);
            var errors = new List<string>();
            var template = TemplateCompiler.CompileString("${" + name + "?}", null, site, errors);
            foreach (var e in errors)
            {
                problems.Add(sign.Location.Problem($"signing scheme '{sign.Scheme}' has a parameter '{name}' that cannot be a variable name: {e}"));
            }

            parameters.Add(new CompiledParameter(name, template, null, site));
        }
    }

    private List<CompiledParameter> CompileItems(IReadOnlyList<ParameterItem> items, string kind, string what, List<LlmDefinitionProblem> problems)
    {
        var result = new List<CompiledParameter>(items.Count);
        foreach (var item in items)
        {
            var site = new TemplateSite($"{kind} '{item.Name}' of {what}", item.Location);
            var errors = new List<string>();
            var template = TemplateCompiler.Compile(item.Value, site, errors);
            foreach (var e in errors)
            {
                problems.Add(item.Location.Problem($"{kind} '{item.Name}': {e}"));
            }

            result.Add(new CompiledParameter(item.Name, template, ResolveConverter(item.Converter, item.Args, item.Location, problems), site));
        }

        return result;
    }

    private ResponseMap CompileResponse(IReadOnlyList<ResponseItem> items, string key, string what, List<LlmDefinitionProblem> problems, bool firstIsText = true)
    {
        var fields = new List<ResponseField>(items.Count);
        foreach (var item in items)
        {
            if (CompileField(item, key, problems) is { } field)
            {
                fields.Add(field);
            }
        }

        return new ResponseMap(fields, firstIsText);
    }

    /// <summary>One resp item's field; null when its key path or tool call has a problem (reported).</summary>
    /// <remarks>A method of its own, and its key paths too, so that neither the loop over the items nor this has a big loop (see SplitEmbeddingItem).</remarks>
    private ResponseField? CompileField(ResponseItem item, string key, List<LlmDefinitionProblem> problems)
    {
        var paths = ParseAlternatives(item, key, problems);
        var toolCall = item.ToolCall is null ? null : CompileToolCall(item, key, problems);
        return paths.Count == KeyPath.SplitAlternatives(item.Path).Count && (item.ToolCall is null || toolCall is not null)
            ? new ResponseField(item.Name, paths, ResolveConverter(item.Converter, item.Args, item.Location, problems), item.Join, toolCall)
            : null;
    }

    private static List<KeyPath> ParseAlternatives(ResponseItem item, string key, List<LlmDefinitionProblem> problems)
    {
        var paths = new List<KeyPath>();
        foreach (var alternative in KeyPath.SplitAlternatives(item.Path))
        {
            if (KeyPath.TryParse(alternative, out var path, out var error))
            {
                paths.Add(path);
            }
            else
            {
                problems.Add(item.Location.Problem($"{key} item '{item.Name}': {error}"));
            }
        }

        return paths;
    }

    private static ToolCallPaths? CompileToolCall(ResponseItem item, string key, List<LlmDefinitionProblem> problems)
    {
        var definition = item.ToolCall!;
        var before = problems.Count;
        if (item.Name != ToolCalls.FieldName)
        {
            problems.Add(item.Location.Problem($"{key} item '{item.Name}' has \"tool_call\"; name it '{ToolCalls.FieldName}' (LlmResponse.ToolCalls reads the item of that name)"));
        }

        if (item.Join || item.Converter is not null)
        {
            problems.Add(item.Location.Problem($"{key} item '{item.Name}' has \"tool_call\" with \"{(item.Join ? "join" : "converter")}\"; a tool_call item joins its pieces itself and takes the vendor's value as it is: remove \"{(item.Join ? "join" : "converter")}\""));
        }

        KeyPath? Compile(string? text, string what)
        {
            if (text is null)
            {
                return null;
            }

            if (KeyPath.TryParse(text, out var path, out var error))
            {
                return path;
            }

            problems.Add(definition.Location.Problem($"{key} item '{item.Name}', tool_call {what}: {error}"));
            return null;
        }

        var index = Compile(definition.Index, "index");
        var id = Compile(definition.Id, "id");
        var name = Compile(definition.Name, "name");
        var arguments = Compile(definition.Arguments, "arguments");
        return problems.Count == before ? new ToolCallPaths(index, id, name!, arguments!) : null;
    }

    private static ResponseField? CompilePathField(string name, string text, string key, SourceLocation at, List<LlmDefinitionProblem> problems)
    {
        var paths = new List<KeyPath>();
        foreach (var alternative in KeyPath.SplitAlternatives(text))
        {
            if (KeyPath.TryParse(alternative, out var path, out var error))
            {
                paths.Add(path);
            }
            else
            {
                problems.Add(at.Problem($"{key}: {error}"));
            }
        }

        return paths.Count > 0 ? new ResponseField(name, paths, null) : null;
    }

    private static ErrorMap CompileError(ErrorDefinition? error, List<LlmDefinitionProblem> problems)
    {
        if (error is null)
        {
            return ErrorMap.Default;
        }

        List<KeyPath> Parse(string? text, string key)
        {
            var paths = new List<KeyPath>();
            foreach (var alternative in text is null ? [] : KeyPath.SplitAlternatives(text))
            {
                if (KeyPath.TryParse(alternative, out var path, out var message))
                {
                    paths.Add(path);
                }
                else
                {
                    problems.Add(error.Location.Problem($"error {key}: {message}"));
                }
            }

            return paths;
        }

        return new ErrorMap(Parse(error.MessagePath, "message"), Parse(error.CodePath, "code"), error.OkCodes, explicitlyDefined: true) { RetryCodes = error.RetryCodes };
    }

    private static ChunkFilter? CompileFilter(ChunkFilterDefinition filter, ResponseMap response, List<LlmDefinitionProblem> problems)
    {
        var ok = true;
        if (!ChunkFilter.TryParseOp(filter.Op.Trim(), out var op))
        {
            problems.Add(filter.Location.Problem($"chunk_filter op '{filter.Op}' is unknown: write one of {string.Join(", ", ChunkFilter.OpNames)}{DidYouMean.Hint(filter.Op, ChunkFilter.OpNames)}"));
            ok = false;
        }

        if (!KeyPath.TryParse(filter.Name, out var path, out var error))
        {
            problems.Add(filter.Location.Problem($"chunk_filter name: {error}"));
            ok = false;
        }

        var fieldIndex = -1;
        if (filter.Field is not null)
        {
            fieldIndex = response.IndexOf(filter.Field);
            if (fieldIndex < 0)
            {
                problems.Add(filter.Location.Problem($"chunk_filter field '{filter.Field}' is not a resp item of this call{DidYouMean.Hint(filter.Field, response.Fields.Select(f => f.Name))}; name one of: {string.Join(", ", response.Fields.Select(f => f.Name))}"));
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        return op == FilterOp.Regex ? CreateRegexFilter(filter, path!, fieldIndex, problems) : new ChunkFilter(path!, op, filter.Value, null, fieldIndex, filter.Field);
    }

    // Regex is named only here and in CreateRegexMatcher, so that compiling a call without a regular expression does not
    // make the JIT load System.Text.RegularExpressions (about a millisecond of a cold load).
    private static ChunkFilter? CreateRegexFilter(ChunkFilterDefinition filter, KeyPath path, int fieldIndex, List<LlmDefinitionProblem> problems)
    {
        System.Text.RegularExpressions.Regex regex;
        try
        {
            regex = SafeRegex.Create(JsonValues.ToText(filter.Value));
        }
        catch (ArgumentException e)
        {
            problems.Add(filter.Location.Problem($"chunk_filter value is not a valid regular expression: {e.Message}"));
            return null;
        }

        return new ChunkFilter(path, FilterOp.Regex, filter.Value, regex, fieldIndex, filter.Field);
    }

    private static ChunkMatcher? CreateRegexMatcher(StreamDefinition stream, SourceLocation callAt, List<LlmDefinitionProblem> problems)
    {
        try
        {
            return ChunkMatcher.Create(stream.ChunkMatch!, SafeRegex.Create(stream.ChunkMatch!));
        }
        catch (ArgumentException e)
        {
            problems.Add((stream.ChunkMatchLocation ?? callAt).Problem($"chunk_match \"{stream.ChunkMatch}\" is not a valid regular expression: {e.Message}"));
            return null;
        }
    }

    private ILlmConverter? ResolveConverter(string? name, System.Text.Json.JsonElement? args, SourceLocation at, List<LlmDefinitionProblem> problems)
    {
        if (name is null)
        {
            return null;
        }

        if (converters.TryGet(name, out var converter))
        {
            if (args is not { } given)
            {
                return converter;
            }

            if (converter is not IConverterWithArgs withArgs)
            {
                problems.Add(at.Problem($"converter '{name}' takes no \"args\"; remove them (converters that take an argument: {string.Join(", ", converters.Names.Where(n => converters.TryGet(n, out var c) && c is IConverterWithArgs).Order(StringComparer.Ordinal))})"));
                return null;
            }

            if (withArgs.TryBind(given, out var bound, out var error))
            {
                return bound;
            }

            problems.Add(at.Problem($"\"args\" of converter '{name}': {error}"));
            return null;
        }

        problems.Add(at.Problem($"converter '{name}' is unknown{DidYouMean.Hint(name, converters.Names)}; known converters: {string.Join(", ", converters.Names.Order(StringComparer.Ordinal))}. Declare it in the file's \"converters\" section, or register it in code with AddConverter."));
        return null;
    }
}
