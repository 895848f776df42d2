
using LlmAdapters.Conversion;
using LlmAdapters.Definitions;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;
using LlmAdapters.Streaming;
using LlmAdapters.Templates;

namespace LlmAdapters.Compilation;

/// <summary>Turns read definitions into call plans: templates, key paths, converters and regexes compiled once, with every problem reported at its line.</summary>
internal sealed class PlanCompiler(ConverterRegistry converters)
{
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

        return problems.Count == before ? new AdapterPlan(adapter.Name, adapter.Location, calls) : null;
    }

    private CallPlan? CompileCall(string adapter, CallDefinition call, List<LlmDefinitionProblem> problems)
    {
        var before = problems.Count;
        var what = $"call '{call.Name}' of adapter '{adapter}'";
        var request = CompileRequest(call.Request, "", what, problems);
        var embeddingItem = call.Resp.FirstOrDefault(i => i.Name == EmbeddingReader.ItemName);
        var response = CompileResponse(embeddingItem is null ? call.Resp : [.. call.Resp.Where(i => i != embeddingItem)], "resp", what, problems, firstIsText: embeddingItem is null);
        var embeddings = embeddingItem is null ? null : CompileEmbeddings(embeddingItem, call.ApiType, problems);
        if (call.MaxInputs is not null && embeddingItem is null)
        {
            problems.Add(call.Location.Problem($"\"max_inputs\" of call '{call.Name}' splits Inputs into batches, which only an embedding call does; add a resp item named \"embeddings\" (the vectors) or remove \"max_inputs\""));
        }

        var error = CompileError(call.Error, problems);

        var poll = call.Poll is null ? null : CompilePoll(call.Poll, call.Location, what, problems);
        var stream = CompileStream(call.Stream, call.ApiType == LlmApiType.Stream, call.Location, response, error, problems);

        var inputs = InputKinds.None;
        if (call.InputItems is { } declared)
        {
            foreach (var input in declared)
            {
                inputs |= input switch { "image" => InputKinds.Image, "video" => InputKinds.Video, _ => InputKinds.Prompt };
            }
        }
        else
        {
            // Not declared: a call accepts text, and images or videos when its templates use them.
            var used = request.VariableNames.ToHashSet(StringComparer.Ordinal);
            inputs = InputKinds.Prompt | (used.Contains("images") ? InputKinds.Image : 0) | (used.Contains("videos") ? InputKinds.Video : 0);
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new CallPlan(adapter, call, request, response, error, inputs, stream, poll) { Embeddings = embeddings, MaxInputs = call.MaxInputs };
    }

    /// <summary>The <c>embeddings</c> item: a key path read by <see cref="EmbeddingReader"/>, on sync calls only, without converter, alternatives or join.</summary>
    private static EmbeddingReader? CompileEmbeddings(ResponseItem item, LlmApiType apiType, List<LlmDefinitionProblem> problems)
    {
        var before = problems.Count;
        if (apiType != LlmApiType.Sync)
        {
            problems.Add(item.Location.Problem($"resp item 'embeddings' (the vectors of an embedding call) is read from a whole response: the call's apitype must be sync, not {apiType.ToString().ToLowerInvariant()}"));
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

    /// <summary>A <see cref="PollDefinition"/> as a <see cref="PollPlan"/>: its request, items and timings.</summary>
    private PollPlan CompilePoll(PollDefinition poll, SourceLocation callAt, string what, List<LlmDefinitionProblem> problems)
    {
        var request = CompileRequest(poll.Request, "query_", what, problems);
        var response = CompileResponse(poll.Resp, "query_resp", what, problems);
        var status = poll.Status is null ? null : CompilePathField("status", poll.Status, "query_status", callAt, problems);
        var failure = poll.Error is null ? null : CompilePathField("error", poll.Error, "query_error", callAt, problems);
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
            TimeSpan.FromSeconds(poll.Timeout ?? 600));
    }

    /// <summary>
    /// A <see cref="StreamDefinition"/> as a <see cref="StreamPlan"/>. Its chunk_match and chunk_filters are checked for
    /// every call (a mistake in them is reported even where they are not used); the plan is made only for a stream call.
    /// </summary>
    private static StreamPlan? CompileStream(StreamDefinition stream, bool isStreamCall, SourceLocation callAt, ResponseMap response, ErrorMap error, List<LlmDefinitionProblem> problems)
    {
        // The common "literal(.*)" shape runs without a regex, so none is built for it (building one costs milliseconds).
        ChunkMatcher? matcher = null;
        if (stream.ChunkMatch is not null && !ChunkMatcher.TryCreateLiteral(stream.ChunkMatch, out matcher))
        {
            try
            {
                matcher = ChunkMatcher.Create(stream.ChunkMatch, SafeRegex.Create(stream.ChunkMatch));
            }
            catch (ArgumentException e)
            {
                problems.Add((stream.ChunkMatchLocation ?? callAt).Problem($"chunk_match \"{stream.ChunkMatch}\" is not a valid regular expression: {e.Message}"));
            }
        }

        var filters = new List<ChunkFilter>();
        foreach (var filter in stream.ChunkFilters)
        {
            if (CompileFilter(filter, response, problems) is { } compiled)
            {
                filters.Add(compiled);
            }
        }

        return !isStreamCall ? null : new StreamPlan(stream.Format, matcher, stream.Done ?? "[DONE]", stream.Done is not null, stream.Mode == StreamMode.Cumulative, response, filters, error);
    }

    /// <summary>A <see cref="RequestDefinition"/> (a call's, or its poll's with <paramref name="prefix"/> "query_") as a <see cref="RequestPlan"/>.</summary>
    private RequestPlan CompileRequest(RequestDefinition definition, string prefix, string what, List<LlmDefinitionProblem> problems)
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
        foreach (var e in pathErrors)
        {
            problems.Add(pathAt.Problem($"{prefix}path: {e}"));
        }

        var compiledHeaders = CompileItems(headers, "header", what, problems);
        foreach (var header in compiledHeaders)
        {
            if (header.Name.Length == 0 || header.Name.Any(c => c <= ' ' || c >= 127 || c is ':' or '(' or ')' or ',' or '/' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"'))
            {
                problems.Add(header.Site.Location.Problem($"'{header.Name}' is not a valid HTTP header name; use letters, digits and '-'"));
            }
        }

        return new RequestPlan(
            new HttpMethod(method),
            pathTemplate,
            CompileItems(query, prefix + "params item", what, problems),
            compiledHeaders,
            body is null ? null : CompileItems(body, prefix + "data item", what, problems));
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

            if (paths.Count == KeyPath.SplitAlternatives(item.Path).Count)
            {
                fields.Add(new ResponseField(item.Name, paths, ResolveConverter(item.Converter, item.Args, item.Location, problems), item.Join));
            }
        }

        return new ResponseMap(fields, firstIsText);
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

        return new ErrorMap(Parse(error.MessagePath, "message"), Parse(error.CodePath, "code"), error.OkCodes, explicitlyDefined: true);
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

        System.Text.RegularExpressions.Regex? regex = null;
        if (ok && op == FilterOp.Regex)
        {
            try
            {
                regex = SafeRegex.Create(JsonValues.ToText(filter.Value));
            }
            catch (ArgumentException e)
            {
                problems.Add(filter.Location.Problem($"chunk_filter value is not a valid regular expression: {e.Message}"));
                ok = false;
            }
        }

        return ok ? new ChunkFilter(path!, op, filter.Value, regex, fieldIndex, filter.Field) : null;
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
