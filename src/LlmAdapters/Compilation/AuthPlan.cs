using LlmAdapters.Mapping;

namespace LlmAdapters.Compilation;

/// <summary>
/// How a call gets the token its requests use as <c>${access_token}</c>: the token request, where the token and its lifetime
/// are in the answer, and the in-band codes that mean the token is no longer valid.
/// </summary>
/// <param name="Request">The token request (never signed).</param>
/// <param name="Token">The key path of the token.</param>
/// <param name="ExpiresIn">The key path of the token's lifetime in seconds.</param>
/// <param name="RefreshCodes">In-band error codes, as text, that mean the token is no longer valid.</param>
/// <param name="CacheScope">The adapter, method and path of the token call: calls with the same one share their tokens (per credential).</param>
internal sealed record AuthPlan(RequestPlan Request, KeyPath Token, KeyPath ExpiresIn, IReadOnlySet<string> RefreshCodes, string CacheScope)
{
    /// <summary>The variable the token is given to the call's requests as.</summary>
    public const string TokenVariable = "access_token";

    /// <summary>The variables the token request reads, in order: their values (the key and the secret) tell credentials apart.</summary>
    public IReadOnlyList<string> CredentialVariables { get; } = Sorted(Request.VariableNames);

    /// <summary>True when <paramref name="code"/> (an extracted vendor code) says the token is no longer valid.</summary>
    public bool IsRefreshCode(string? code) => code is not null && RefreshCodes.Contains(code);

    /// <summary>The distinct names, in ordinal order (Array.Sort: no LINQ sorting code for a cold load to compile).</summary>
    private static string[] Sorted(IEnumerable<string> names)
    {
        var distinct = new HashSet<string>(names, StringComparer.Ordinal).ToArray();
        Array.Sort(distinct, StringComparer.Ordinal);
        return distinct;
    }

    /// <summary>The token call's path only: its parameters hold the credentials.</summary>
    public override string ToString() => $"auth {Request.MethodName} {CacheScope}";
}
