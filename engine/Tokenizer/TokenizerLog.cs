using Microsoft.Extensions.Logging;

namespace StepAudio.Engine.Tokenizer;

/// <summary>The tokenizer's log messages (event ids 1100..1199).</summary>
internal static partial class TokenizerLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Tokenizer loaded from {Directory}: vq02 encoder with {Layers} layers x {Width} cache width on {Vq02Provider}, vq06 on {Vq06Provider}")]
    public static partial void Loaded(ILogger logger, string directory, int layers, int width, string vq02Provider, string vq06Provider);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Tokenizer peak rose (divisor {Old} -> {New}) at sample {Sample}: re-tokenising from the start of the turn")]
    public static partial void PeakRestart(ILogger logger, float old, float @new, int sample);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Tokenizer session failed; its snapshot and completion will report the error")]
    public static partial void SessionFailed(ILogger logger, Exception exception);
}
