
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
        var request = CompileRequest(call.Method, call.Path, call.PathLocation, call.Params, call.Headers, call.Data, "", what, problems);
        var response = CompileResponse(call.Resp, "resp", what, problems);
        var error = CompileError(call.Error, problems);

        PollPlan? poll = null;
        if (call.QueryPath is not null)
        {
            // Without query_headers the query reuses the call's headers: vendors authenticate polls the same way.
            var queryRequest = CompileRequest(call.QueryMethod, call.QueryPath, call.QueryPathLocation ?? call.Location, call.QueryParams, call.QueryHeaders ?? call.Headers, call.QueryData, "query_", what, problems);
            var queryResponse = CompileResponse(call.QueryResp, "query_resp", what, problems);
            var status = call.QueryStatus is null ? null : CompilePathField("status", call.QueryStatus, "query_status", call.Location, problems);
            var failure = call.QueryError is null ? null : CompilePathField("error", call.QueryError, "query_error", call.Location, problems);
            var interval = TimeSpan.FromSeconds(call.PollInterval ?? 2);
            poll = new PollPlan(
                queryRequest,
                queryResponse,
                status,
                failure,
                call.QueryDone,
                call.QueryFailed,
                interval,
                call.PollBackoff ?? 1,
                TimeSpan.FromSeconds(call.PollMaxInterval ?? Math.Max(30, interval.TotalSeconds)),
                TimeSpan.FromSeconds(call.PollTimeout ?? 600));
        }

        // The common "literal(.*)" shape runs without a regex, so none is built for it (building one costs milliseconds).
        ChunkMatcher? matcher = null;
        if (call.ChunkMatch is not null && !ChunkMatcher.TryCreateLiteral(call.ChunkMatch, out matcher))
        {
            try
            {
                matcher = ChunkMatcher.Create(call.ChunkMatch, SafeRegex.Create(call.ChunkMatch));
            }
            catch (ArgumentException e)
            {
                problems.Add((call.ChunkMatchLocation ?? call.Location).Problem($"chunk_match \"{call.ChunkMatch}\" is not a valid regular expression: {e.Message}"));
            }
        }

        var filters = new List<ChunkFilter>();
        foreach (var filter in call.ChunkFilters)
        {
            if (CompileFilter(filter, response, problems) is { } compiled)
            {
                filters.Add(compiled);
            }
        }

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

        StreamPlan? stream = null;
        if (call.ApiType == LlmApiType.Stream)
        {
            var format = StreamFormats.Parse(call.StreamFormat);
            stream = new StreamPlan(format, matcher, call.StreamDone ?? "[DONE]", call.StreamDone is not null, call.StreamMode == "cumulative", response, filters, error);
        }

        return new CallPlan(adapter, call, request, response, error, inputs, stream, poll);
    }

    private RequestPlan CompileRequest(string method, string path, SourceLocation pathAt, IReadOnlyList<ParameterItem> query, IReadOnlyList<ParameterItem> headers, IReadOnlyList<ParameterItem>? body, string prefix, string what, List<LlmDefinitionProblem> problems)
    {
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

            result.Add(new CompiledParameter(item.Name, template, ResolveConverter(item.Converter, item.Location, problems), site));
        }

        return result;
    }

    private ResponseMap CompileResponse(IReadOnlyList<ResponseItem> items, string key, string what, List<LlmDefinitionProblem> problems)
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
                fields.Add(new ResponseField(item.Name, paths, ResolveConverter(item.Converter, item.Location, problems), item.Join));
            }
        }

        return new ResponseMap(fields);
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

    private ILlmConverter? ResolveConverter(string? name, SourceLocation at, List<LlmDefinitionProblem> problems)
    {
        if (name is null)
        {
            return null;
        }

        if (converters.TryGet(name, out var converter))
        {
            return converter;
        }

        problems.Add(at.Problem($"converter '{name}' is unknown{DidYouMean.Hint(name, converters.Names)}; known converters: {string.Join(", ", converters.Names.Order(StringComparer.Ordinal))}. Register your own with AddConverter."));
        return null;
    }
}
