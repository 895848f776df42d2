// An LLM2API-style gateway on LlmAdapters: every configured profile behind an OpenAI-compatible API
// (POST /v1/chat/completions, whole or streamed, /web/v1/chat/completions with web search; GET /v1/models), gateway keys,
// upstream key rotation, management (/keys) and periodic checks, fallbacks, and a status page at / (GET /stats as JSON).
// State is kept in this process, or shared between instances in Redis. `--demo` serves a loopback demo upstream when no
// profile is configured. `--self-test` sends one request of each kind to itself, prints the answers and exits (CI's smoke test).
using Gateway;

var selfTest = args.Contains("--self-test");
WebApplication app;
try
{
    app = await GatewayApp.BuildAsync([.. args.Where(a => a != "--self-test")]);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"The gateway did not start. {e.Message}");
    return 2;
}

await using (app)
{
    await app.StartAsync();
    var baseUrl = GatewayApp.Addresses(app)[0] + GatewayApp.PathPrefix(app);
    if (app.Services.GetService<LlmAdapters.Samples.DemoServer>() is { } demo)
    {
        Console.WriteLine($"Demo mode: serving the demo server at {demo.BaseUrl} as the model '{GatewayApp.DemoProfile}'.");
    }

    Console.WriteLine($"Gateway listening on {baseUrl}: OpenAI-compatible API at {baseUrl}/v1, status page at {baseUrl}/, upstream keys at {baseUrl}/keys");
    if (!selfTest)
    {
        await app.WaitForShutdownAsync();
        return 0;
    }

    var code = await SelfTest.RunAsync(baseUrl, app.Configuration);
    await app.StopAsync();
    return code;
}
