using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Server.Tests;

/// <summary>A log sink for tests: every entry the engine writes, with its structured properties.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => sink._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var properties = new Dictionary<string, object?>();
            sink._scopes.ForEachScope((scope, values) => Add(scope, values), properties);
            Add(state, properties);
            sink.Entries.Enqueue(new CapturedEntry(category, logLevel, formatter(state, exception), properties));
        }

        private static void Add(object? state, Dictionary<string, object?> properties)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    properties[key] = value;
                }
            }
        }
    }
}

/// <summary>A log entry: its category, level, text, and its structured properties (the message's and its scopes').</summary>
public sealed record CapturedEntry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties);
