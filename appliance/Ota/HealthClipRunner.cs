using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Composition;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// Plays a WAV into a listening loop of its own (models loaded for the run and released after it,
/// through the same <see cref="ListeningModels"/> as the live pipeline) and reports what the loop
/// made of it: the wake word, where speech started and the turn ended, and the turn's tokens.
/// The live loop keeps listening to the room meanwhile.
/// </summary>
internal sealed class HealthClipRunner(ApplianceSettings settings, ILoggerFactory loggers)
{
    // Silence fed after the clip so the endpointing can close a turn the clip leaves open.
    private const int TrailingSilenceMs = 6000;
    private const int ChunkSamples = ListeningLoop.FrameSamples;

    /// <summary>Runs the clip once; throws <see cref="HealthManifestException"/> when the clip is missing or not a WAV.</summary>
    public async Task<ClipObservation> RunAsync(string clipPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(clipPath))
        {
            throw new HealthManifestException($"health clip {clipPath} is missing.");
        }

        WavAudio clip;
        try
        {
            clip = WavFile.Read(clipPath);
        }
        catch (WavFormatException ex)
        {
            throw new HealthManifestException($"health clip {clipPath} is not a WAV the pipeline reads: {ex.Message}", ex);
        }

        // The clip reaches the loop as the room does: mixed to mono and resampled by the capture's front end.
        var mono16k = CaptureFrontEnd.FromOptions(new ChannelSelectionOptions { Mode = ChannelSelectionMode.Mix }, clip.Channels, clip.SampleRate, ChunkSamples)
            .ProcessAll(clip.Samples);

        // Model inference runs on the caller's thread, as on the audio thread: keep it off the host's.
        return await Task.Run(() => Listen(mono16k, cancellationToken), cancellationToken);
    }

    private async Task<ClipObservation> Listen(float[] samples, CancellationToken cancellationToken)
    {
        using var models = ListeningModels.Load(settings, new OnnxSessionFactory(loggers.CreateLogger<OnnxSessionFactory>()), loggers);
        var signals = Channel.CreateUnbounded<TurnSignal>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var loop = models.CreateLoop(settings.WakeWord, settings.Endpointing, new AudioTimeline(), signals.Writer);
        var seen = new Seen();
        var silence = new float[ChunkSamples];
        var fed = 0;
        var silenceFed = 0;
        while (!seen.Finished && silenceFed < PipelineAudio.SamplesFor(TrailingSilenceMs))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (fed < samples.Length)
            {
                var take = Math.Min(ChunkSamples, samples.Length - fed);
                loop.Process(samples.AsSpan(fed, take));
                fed += take;
            }
            else
            {
                loop.Process(silence);
                silenceFed += silence.Length;
            }

            while (signals.Reader.TryRead(out var signal))
            {
                await seen.TakeAsync(signal, cancellationToken);
            }
        }

        return await seen.ObservationAsync(cancellationToken);
    }

    /// <summary>The first turn's signals.</summary>
    private sealed class Seen
    {
        private TurnSignal? _wake;
        private double? _speechStart;
        private double? _end;
        private bool _noSpeech;
        private Task<AudioTokens>? _tokens;

        public bool Finished => _end is not null || _noSpeech;

        public async Task TakeAsync(TurnSignal signal, CancellationToken cancellationToken)
        {
            switch (signal.Kind)
            {
                case TurnSignalKind.Wake when _wake is null:
                    _wake = signal;
                    break;
                case TurnSignalKind.SpeechStart:
                    _speechStart ??= signal.AtMs;
                    break;
                case TurnSignalKind.Pause when signal.Tokens is { } snapshot:
                    // A pause's snapshot is the coordinator's business; here it is only waited for.
                    await snapshot.WaitAsync(cancellationToken);
                    break;
                case TurnSignalKind.EndOfTurn:
                    _end = signal.AtMs;
                    _tokens = signal.Tokens;
                    break;
                case TurnSignalKind.NoSpeech:
                    _noSpeech = true;
                    break;
            }
        }

        public async Task<ClipObservation> ObservationAsync(CancellationToken cancellationToken)
        {
            var tokens = _tokens is null ? null : await _tokens.WaitAsync(cancellationToken);
            return new ClipObservation(_wake?.Keyword, _wake?.AtMs, _speechStart, _end, _noSpeech, tokens?.GroupCount ?? 0, tokens?.ToTokenString());
        }
    }
}
