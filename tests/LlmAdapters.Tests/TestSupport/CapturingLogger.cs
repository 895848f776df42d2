using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>Keeps every log line written through it (formatted), and every text a log sink could see, for assertions.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

    /// <summary>
    /// Every text of every record: the formatted message, the exception's ToString(), each key and value of a structured
    /// state (IReadOnlyList of key/value pairs, as LoggerMessage and the HttpClient loggers write), the state's ToString(),
    /// and the same for each scope begun.
    /// </summary>
    public ConcurrentQueue<string> Texts { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void AddState(object? state)
    {
        if (state is null)
        {
            return;
        }

        Texts.Enqueue(state.ToString() ?? string.Empty);
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                Texts.Enqueue(key);
                AddValue(value);
            }
        }
    }

    private void AddValue(object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                Texts.Enqueue(s);
                return;
            case System.Collections.IEnumerable items:
                // Header lists and the like: each item, and the whole as the sink would print it.
                foreach (var item in items)
                {
                    AddValue(item);
                }

                Texts.Enqueue(value.ToString() ?? string.Empty);
                return;
            default:
                Texts.Enqueue(value.ToString() ?? string.Empty);
                return;
        }
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            owner.AddState(state);
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            owner.Lines.Enqueue((category, logLevel, message + (exception is null ? string.Empty : " " + exception)));
            owner.Texts.Enqueue(category);
            owner.Texts.Enqueue(message);
            if (exception is not null)
            {
                owner.Texts.Enqueue(exception.ToString());
            }

            owner.AddState(state);
        }
    }
}
