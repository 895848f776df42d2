// An LLM2API-style gateway on LlmAdapters: every configured profile behind an OpenAI-compatible API
// (POST /v1/chat/completions, whole or streamed; GET /v1/models), gateway keys, upstream key rotation and retries,
// and a status page at / (GET /stats as JSON). With no profile configured it serves a loopback demo upstream.
// `--self-test` sends one request of each kind to itself, prints the answers and exits (CI's smoke test).
using Gateway;

var selfTest = args.Contains("--self-test");
await using var app = await GatewayApp.BuildAsync([.. args.Where(a => a != "--self-test")]);
await app.StartAsync();
var baseUrl = GatewayApp.Addresses(app)[0];
if (app.Services.GetService<LlmAdapters.Samples.DemoServer>() is { } demo)
{
    Console.WriteLine($"No upstream profile configured: serving the demo server at {demo.BaseUrl} as the model '{GatewayApp.DemoProfile}'.");
}

Console.WriteLine($"Gateway listening on {baseUrl}: OpenAI-compatible API at {baseUrl}/v1, status page at {baseUrl}/");
if (!selfTest)
{
    await app.WaitForShutdownAsync();
    return 0;
}

var code = await SelfTest.RunAsync(baseUrl, app.Configuration);
await app.StopAsync();
return code;
