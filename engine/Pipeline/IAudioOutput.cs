namespace StepAudio.Engine.Pipeline;

public interface IAudioOutput { int SampleRate { get; } ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken ct); ValueTask CompleteReplyAsync(CancellationToken ct); }
