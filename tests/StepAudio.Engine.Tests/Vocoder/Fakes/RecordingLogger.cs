using Microsoft.Extensions.Logging;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>Keeps every formatted log line, for tests that check what a stage reports.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Lines.Add(formatter(state, exception));
    }
}
