using LlmAdapters;

namespace Gateway;

/// <summary>Asks the upstream whether a key works: the adapter's <c>models</c> call when it has one (free), else a one-token chat.</summary>
internal sealed class KeyValidator(ProfileClients clients, AdapterCalls calls)
{
    public async Task<KeyCheck> CheckAsync(string profile, string key, CancellationToken cancellationToken)
    {
        var adapter = clients.Profiles.TryGetValue(profile, out var settings) ? settings.Adapter : "";
        var variables = new Dictionary<string, object?> { ["apikey"] = key };
        var request = calls.HasCall(adapter, "models")
            ? new LlmRequest { Call = "models", Variables = variables }
            : new LlmRequest { Messages = [new LlmMessage("user", "hi")], MaxTokens = 1, Variables = variables };
        try
        {
            await clients.Get(profile).CallAsync(request, cancellationToken);
            return KeyCheck.Valid;
        }
        catch (LlmHttpException e) when (e.StatusCode is 401 or 403)
        {
            return new KeyCheck(KeyCheckOutcome.Rejected, e.StatusCode, VendorReason(e));
        }
        catch (LlmHttpException e) when (e.StatusCode == 429)
        {
            return new KeyCheck(KeyCheckOutcome.RateLimited, 429, VendorReason(e), e.RetryAfter);
        }
        catch (LlmException e)
        {
            return new KeyCheck(KeyCheckOutcome.Unknown, (e as LlmHttpException)?.StatusCode ?? 0, OpenAiError.Clean(e.Message));
        }
    }

    private static string VendorReason(LlmHttpException e) => $"{e.StatusCode}: {OpenAiError.Clean(e.VendorMessage ?? e.Message)}";
}

/// <summary>What a key check found; <see cref="KeyCheckOutcome.Unknown"/> when the upstream could not tell (unreachable, 5xx): the key's state is left as it was.</summary>
internal sealed record KeyCheck(KeyCheckOutcome Outcome, int Status, string? Reason, TimeSpan? RetryAfter = null)
{
    public static readonly KeyCheck Valid = new(KeyCheckOutcome.Valid, 200, null);
}

internal enum KeyCheckOutcome
{
    Valid,
    Rejected,
    RateLimited,
    Unknown,
}
