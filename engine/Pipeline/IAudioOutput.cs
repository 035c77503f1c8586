namespace StepAudio.Engine.Pipeline;

/// <summary>Where reply audio goes: the ALSA playback device, a WAV file, a test recorder.</summary>
public interface IAudioOutput
{
    /// <summary>The rate the output wants; the pipeline resamples to it.</summary>
    int SampleRate { get; }

    /// <summary>Queues mono samples in [-1, 1] for playback.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken);

    /// <summary>The reply is complete: drain what is queued.</summary>
    ValueTask CompleteReplyAsync(CancellationToken cancellationToken);
}
