using LlmAdapters.Templates;

namespace LlmAdapters.Compilation;

/// <summary>How to build one HTTP request: method, path template, query parameters, headers and body items.</summary>
internal sealed class RequestPlan(string method, Template path, IReadOnlyList<CompiledParameter> query, IReadOnlyList<CompiledParameter> headers, IReadOnlyList<CompiledParameter>? body, SignPlan? sign = null)
{
    /// <summary>True for <c>query_url</c>: <see cref="Path"/> gives a whole URL read from an earlier response (not escaped, host checked).</summary>
    public bool IsUrl { get; init; }

    /// <summary>The hosts a URL read from a response may point to (lower case, <c>*.domain</c> for its subdomains); empty for the profile's BaseUrl host only.</summary>
    public IReadOnlyList<string> UrlHosts { get; init; } = [];

    /// <summary>The HTTP method's name, upper case, as the definition gives it.</summary>
    public string MethodName { get; } = method;

    /// <summary>The HTTP method, made on first use: a load that makes none does not load System.Net.Http (about 10 ms of a cold start).</summary>
    /// <remarks>Threads that race make equal methods.</remarks>
    public HttpMethod Method => _method ??= new HttpMethod(MethodName);

    private HttpMethod? _method;

    public Template Path { get; } = path;

    public IReadOnlyList<CompiledParameter> Query { get; } = query;

    public IReadOnlyList<CompiledParameter> Headers { get; } = headers;

    /// <summary>The JSON body's items; null when no body is sent.</summary>
    public IReadOnlyList<CompiledParameter>? Body { get; } = body;

    /// <summary>How the request is signed just before it is sent; null when it is not.</summary>
    public SignPlan? Sign { get; } = sign;

    /// <summary>The variables the path, params, headers and body cannot do without (the signing parameters are optional).</summary>
    public IEnumerable<string> RequiredVariableNames => Names(requiredOnly: true);

    /// <summary>Every variable the request reads: path, params, headers, body, then the signing parameters.</summary>
    public IEnumerable<string> VariableNames => Names(requiredOnly: false);

    private List<string> Names(bool requiredOnly)
    {
        var names = new List<string>(requiredOnly ? Path.RequiredVariableNames : Path.VariableNames);
        CompiledParameter.AddNames(names, Query, requiredOnly);
        CompiledParameter.AddNames(names, Headers, requiredOnly);
        if (Body is not null)
        {
            CompiledParameter.AddNames(names, Body, requiredOnly);
        }

        if (!requiredOnly && Sign is not null)
        {
            CompiledParameter.AddNames(names, Sign.Parameters, requiredOnly: false);
        }

        return names;
    }
}
