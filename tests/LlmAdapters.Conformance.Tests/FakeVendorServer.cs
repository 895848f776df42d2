using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Conformance.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) playing a vendor: each <see cref="Session"/> gets its own path prefix
/// (<c>/r/&lt;id&gt;</c>, put in front of the vendor's base URL path), records every request, and answers the n-th
/// request with the n-th exchange's response, written in the session's <see cref="WritePattern"/>.
/// </summary>
internal sealed class FakeVendorServer : IAsyncDisposable
{
    /// <summary>The status of a request the case did not expect; the test reports it.</summary>
    public const int UnexpectedRequestStatus = 599;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private LoopbackHost _host = null!;

    private FakeVendorServer()
    {
    }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri BaseUrl => new(_host.BaseUrl);

    public static async Task<FakeVendorServer> StartAsync()
    {
        var server = new FakeVendorServer();
        server._host = await LoopbackHost.StartAsync(server.HandleAsync);
        return server;
    }

    /// <summary>Starts serving one run of a case; dispose the session to stop.</summary>
    /// <param name="exchanges">The exchanges served in order.</param>
    /// <param name="pattern">How response bodies are written.</param>
    /// <param name="seed">The seed of the random write pattern.</param>
    /// <param name="loopbackOrigins">Vendor origins (<c>https://stream.vendor.com</c>) that response bodies name and that this session serves too: they are rewritten to the session's loopback origin and prefix.</param>
    public Session Open(IReadOnlyList<FixtureCase.Exchange> exchanges, WritePattern pattern, int seed, IReadOnlyList<string>? loopbackOrigins = null)
    {
        var session = new Session(this, "/r/" + Guid.NewGuid().ToString("N"), exchanges, pattern, seed) { LoopbackOrigins = loopbackOrigins ?? [] };
        _sessions[session.Prefix] = session;
        return session;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var cut = path.Length > 3 ? path.IndexOf('/', 3) : -1;
        if (cut < 0 || !_sessions.TryGetValue(path[..cut], out var session))
        {
            context.Response.StatusCode = 404;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var index = session.Record(new ReceivedRequest(context.Request.Method, path[cut..] + context.Request.QueryString.Value, headers, body.ToArray()));
        if (index >= session.Exchanges.Count)
        {
            context.Response.StatusCode = UnexpectedRequestStatus;
            await context.Response.WriteAsync($"conformance: request #{index + 1} was not expected (the case has {session.Exchanges.Count} exchanges)", context.RequestAborted);
            return;
        }

        var exchange = session.Exchanges[index];
        context.Response.StatusCode = exchange.Status;
        foreach (var (name, value) in exchange.ResponseHeaders)
        {
            context.Response.Headers[name] = value;
        }

        var bytes = exchange.ResponseBody;
        if (session.LoopbackOrigins.Count > 0)
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            foreach (var origin in session.LoopbackOrigins)
            {
                text = text.Replace(origin, BaseUrl.GetLeftPart(UriPartial.Authority) + session.Prefix, StringComparison.Ordinal);
            }

            bytes = System.Text.Encoding.UTF8.GetBytes(text);
        }
        foreach (var (start, length) in WritePatterns.Split(bytes, session.Pattern, session.Seed))
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(start, length), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    /// <summary>One run of a case: its own path prefix, the exchanges it serves in order, and the requests it received.</summary>
    internal sealed class Session(FakeVendorServer server, string prefix, IReadOnlyList<FixtureCase.Exchange> exchanges, WritePattern pattern, int seed) : IDisposable
    {
        private readonly List<ReceivedRequest> _received = [];

        public string Prefix { get; } = prefix;

        public IReadOnlyList<FixtureCase.Exchange> Exchanges { get; } = exchanges;

        public WritePattern Pattern { get; } = pattern;

        public int Seed { get; } = seed;

        /// <summary>Vendor origins named in response bodies that this session serves (rewritten to it).</summary>
        public IReadOnlyList<string> LoopbackOrigins { get; init; } = [];

        public IReadOnlyList<ReceivedRequest> Received
        {
            get
            {
                lock (_received)
                {
                    return [.. _received];
                }
            }
        }

        /// <summary>The vendor's base URL moved onto the loopback server under this session's prefix.</summary>
        public string BaseUrlFor(Uri vendorBaseUrl) => server.BaseUrl.GetLeftPart(UriPartial.Authority) + Prefix + vendorBaseUrl.AbsolutePath.TrimEnd('/');

        public int Record(ReceivedRequest request)
        {
            lock (_received)
            {
                _received.Add(request);
                return _received.Count - 1;
            }
        }

        public void Dispose() => server._sessions.TryRemove(Prefix, out _);
    }
}

/// <summary>What the fake vendor received: the path and query are relative to the vendor's host.</summary>
internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body);

