namespace LlmAdapters.Internal;

/// <summary>
/// Stands in for a foreign exception as the inner exception of one of ours: its type name and its message with secrets
/// masked, and nothing else (no inner exception, no data, no stack trace of its own).
/// </summary>
/// <remarks>
/// A converter's or parser's exception may quote the value it failed on, which can be an API key; chaining it would put
/// the key in <see cref="Exception.InnerException"/> and in <see cref="Exception.ToString"/> of ours.
/// </remarks>
internal sealed class RedactedException : Exception
{
    private RedactedException(string message)
        : base(message)
    {
    }

    /// <summary>The original exception's full type name.</summary>
    public string OriginalType { get; private init; } = string.Empty;

    /// <summary>A stand-in for <paramref name="exception"/> whose message is redacted by <paramref name="redactor"/>.</summary>
    public static RedactedException From(Exception exception, SecretRedactor redactor)
    {
        var type = exception.GetType().FullName ?? exception.GetType().Name;
        return new RedactedException($"{type}: {redactor.Redact(exception.Message)}") { OriginalType = type };
    }
}
