using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway;

/// <summary>
/// Upstream key management, protected by the admin key (<c>Gateway:AdminKey</c>, as <c>Authorization: Bearer</c>), not by
/// the gateway's client keys: <c>GET /keys</c> lists them masked, <c>POST /keys</c> <c>{"profile", "key"}</c> validates a
/// key against the upstream and adds it, <c>DELETE /keys/{id}</c> removes an added key. <c>GET /keys</c> from a browser
/// (Accept: text/html) is the page that does the same.
/// </summary>
internal sealed class KeysEndpoints(GatewayOptions options, UpstreamKeys keys, KeyValidator validator, IGatewayStore store, ProfileClients clients, GatewayProfiles profiles, GatewayClock clock)
{
    public async Task ListAsync(HttpContext context)
    {
        if (context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(KeysPage.Html, context.RequestAborted);
            return;
        }

        if (await RefuseAsync(context))
        {
            return;
        }

        var list = await keys.ListAsync(clients.Profiles.Keys, context.RequestAborted);
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Writer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            foreach (var key in list)
            {
                WriteKey(writer, key);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public async Task AddAsync(HttpContext context)
    {
        if (await RefuseAsync(context))
        {
            return;
        }

        string? profileName = null;
        string? key = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (body.RootElement.ValueKind == JsonValueKind.Object)
            {
                profileName = Text(body.RootElement, "profile") ?? Text(body.RootElement, "model");
                key = Text(body.RootElement, "key");
            }
        }
        catch (JsonException e)
        {
            await OpenAiError.BadRequest($"The request body is not valid JSON: {e.Message}").WriteResponseAsync(context);
            return;
        }
        catch (InvalidOperationException e) when (OpenAiError.IsNotText(e))
        {
            await OpenAiError.BodyNotText().WriteResponseAsync(context);
            return;
        }

        var managed = clients.Profiles.Keys.Where(p => profiles.Get(p) is { ManagesKeys: true }).ToList();
        profileName ??= managed.Count == 1 ? managed[0] : null;
        if (string.IsNullOrWhiteSpace(key))
        {
            await OpenAiError.BadRequest("Send {\"profile\": \"<profile>\", \"key\": \"<upstream key>\"}: 'key' is missing.", "key").WriteResponseAsync(context);
            return;
        }

        var profile = profileName is null ? null : clients.Find(profileName);
        if (profile is null || !managed.Contains(profile))
        {
            await new OpenAiError(profileName is null ? 400 : 404, $"Name the profile the key is for: one of {string.Join(", ", managed)}.", "invalid_request_error", "profile_not_found", "profile").WriteResponseAsync(context);
            return;
        }

        key = key.Trim();
        var check = await validator.CheckAsync(profile, key, context.RequestAborted);
        switch (check.Outcome)
        {
            case KeyCheckOutcome.Valid:
            case KeyCheckOutcome.RateLimited:   // the upstream knows the key; it rests until the upstream's limit passes
                break;
            case KeyCheckOutcome.Rejected:
                await new OpenAiError(400, $"The upstream of profile '{profile}' refused the key ({check.Reason}); it was not added.", "invalid_request_error", "invalid_upstream_key", "key").WriteResponseAsync(context);
                return;
            case KeyCheckOutcome.Unknown:
                await new OpenAiError(502, $"The key could not be validated, so it was not added: {check.Reason}", "upstream_error", "upstream_unreachable", "key").WriteResponseAsync(context);
                return;
            default:
                throw new InvalidOperationException($"Unknown key check outcome {check.Outcome}.");
        }

        var id = StoredKey.IdFor(profile, key);
        var configured = profiles.Get(profile)!.ConfiguredKeys.Any(k => StoredKey.IdFor(profile, k) == id);
        if (!configured)
        {
            await store.AddKeyAsync(new StoredKey(id, profile, key, clock.Now), context.RequestAborted);
        }

        var health = check.Outcome == KeyCheckOutcome.Valid
            ? new KeyHealth(KeyState.Healthy, null, null, clock.Now)
            : new KeyHealth(KeyState.Resting, clock.Now + (check.RetryAfter ?? options.RateLimitRest), check.Reason, clock.Now);
        await store.SetHealthAsync(id, health, context.RequestAborted);

        var added = (await keys.ListAsync([profile], context.RequestAborted)).Single(k => k.Id == id);
        context.Response.StatusCode = configured ? StatusCodes.Status200OK : StatusCodes.Status201Created;
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJson.Writer))
        {
            WriteKey(writer, added);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public async Task RemoveAsync(HttpContext context, string id)
    {
        if (await RefuseAsync(context))
        {
            return;
        }

        var all = await keys.ListAsync(clients.Profiles.Keys, context.RequestAborted);
        if (all.FirstOrDefault(k => k.Id == id) is { Configured: true } configured)
        {
            await new OpenAiError(409, $"Key {id} of profile '{configured.Profile}' comes from the configuration (LlmAdapters:Profiles:{configured.Profile}:ApiKeys); remove it there.", "invalid_request_error", "key_is_configured").WriteResponseAsync(context);
            return;
        }

        if (!await store.RemoveKeyAsync(id, context.RequestAborted))
        {
            await new OpenAiError(404, $"No added key has the id '{id}'.", "invalid_request_error", "key_not_found").WriteResponseAsync(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>True (and the response written) unless the request carries the admin key.</summary>
    private async Task<bool> RefuseAsync(HttpContext context)
    {
        if (options.AdminKey is null)
        {
            await new OpenAiError(403, "Key management is turned off: the gateway's operator sets Gateway:AdminKey to turn it on.", "invalid_request_error", "admin_disabled").WriteResponseAsync(context);
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey))))
        {
            return false;
        }

        await new OpenAiError(401, "Key management needs the gateway's admin key: send Authorization: Bearer <Gateway:AdminKey>.", "invalid_request_error", "invalid_admin_key").WriteResponseAsync(context);
        return true;
    }

    private void WriteKey(Utf8JsonWriter writer, UpstreamKey key)
    {
        var now = clock.Now;
        writer.WriteStartObject();
        writer.WriteString("id", key.Id);
        writer.WriteString("profile", key.Profile);
        writer.WriteString("key", StoredKey.Mask(key.Key));
        writer.WriteString("source", key.Configured ? "configuration" : "added");
        writer.WriteString("state", KeyStates.Name(key.Health.StateAt(now)));
        writer.WriteString("reason", key.Health.StateAt(now) == KeyState.Healthy ? null : key.Health.Reason);
        if (key.Health.StateAt(now) == KeyState.Resting)
        {
            writer.WriteString("restUntil", key.Health.RestUntil!.Value);
        }

        if (key.Added is { } added)
        {
            writer.WriteString("added", added);
        }

        writer.WriteEndObject();
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
