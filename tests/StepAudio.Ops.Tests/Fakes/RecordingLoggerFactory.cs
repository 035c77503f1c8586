using Microsoft.Extensions.Logging;

namespace StepAudio.Ops.Tests.Fakes;

/// <summary>One log record as written.</summary>
internal sealed record LogRecord(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Collects every log record so tests can check that a failure is reported clearly, with its event id.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly List<LogRecord> _records = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<LogRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private void Add(LogRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }
    }

    private sealed class RecordingLogger(RecordingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogRecord(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
