using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// Step-Audio's vocoder on the device: flow matching (encoder, length regulator, Euler with guidance)
/// to an 80-bin mel, then HiFT to PCM, streamed in chunks as the TTS model's audio ids arrive. Owns the
/// profile's models; sessions (one per voice prompt) share them.
/// </summary>
public sealed partial class StreamingVocoder : IDisposable
{
    /// <summary>CAM++ takes 80-bin Kaldi fbank frames.</summary>
    public const int FbankBins = 80;

    private readonly VocoderModels _models;
    private readonly VocoderOptions _options;
    private readonly ILogger _logger;
    private bool _disposed;

    private StreamingVocoder(VocoderModels models, VocoderOptions options, VocoderChunking chunking, ILogger logger)
    {
        _models = models;
        _options = options;
        Chunking = chunking;
        _logger = logger;
    }

    /// <summary>The profile read from vocoder.json: sample rate, token layout, chunking defaults.</summary>
    public VocoderProfile Profile => _models.Profile;

    /// <summary>The chunking in force (options over profile).</summary>
    public VocoderChunking Chunking { get; }

    /// <summary>Output sample rate.</summary>
    public int SampleRate => Profile.SampleRate;

    /// <summary>The execution provider each model's session got, by file name (CUDA asked for may have fallen back to the CPU).</summary>
    public IReadOnlyDictionary<string, ExecutionTarget> ModelProviders => _models.Providers;

    /// <summary>Reads the profile, loads and checks its six models, and (when asked) warms them with one short synthesis.</summary>
    /// <exception cref="VocoderConfigException">vocoder.json is missing or malformed.</exception>
    /// <exception cref="ModelContractException">A model is missing or does not match the contract.</exception>
    public static StreamingVocoder Load(VocoderOptions options, OnnxSessionFactory factory, ILogger<StreamingVocoder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        var directory = Path.Combine(options.ModelDirectory, "vocoder", options.Profile);
        ExportManifest.Verify(options.ModelDirectory, $"vocoder/{options.Profile}/");
        var profile = VocoderProfile.Load(directory);
        if (profile.Name != options.Profile)
        {
            throw new VocoderConfigException(
                $"{Path.Combine(directory, VocoderProfile.FileName)}: field 'profile' is '{profile.Name}' but the directory is profile '{options.Profile}'.");
        }

        var chunking = VocoderChunking.Resolve(options, profile);
        var models = VocoderModels.Load(directory, profile, factory, options.Inference);
        var vocoder = new StreamingVocoder(models, options, chunking, (ILogger?)logger ?? NullLogger.Instance);
        try
        {
            if (options.Inference.WarmUp)
            {
                var realTimeFactor = vocoder.WarmUp();
                if (models.All.Any(m => m.Provider == ExecutionTarget.Cpu))
                {
                    if (realTimeFactor > 1)
                    {
                        Log.SlowerThanRealTimeOnCpu(vocoder._logger, profile.Name, realTimeFactor);
                    }
                    else
                    {
                        Log.RealTimeOnCpu(vocoder._logger, profile.Name, realTimeFactor);
                    }
                }
            }
        }
        catch
        {
            vocoder.Dispose();
            throw;
        }

        Log.Loaded(vocoder._logger, profile.Name, directory, profile.SampleRate, profile.TokenLayout);
        foreach (var model in models.All)
        {
            Log.ModelProvider(vocoder._logger, Path.GetFileName(model.Path), options.Inference.Provider, model.Provider, model.FallbackReason ?? "none");
        }

        return vocoder;
    }

    /// <summary>
    /// CAM++ speaker embedding of a prompt: <paramref name="fbankFrames"/> holds <paramref name="frameCount"/>
    /// frames of 80-bin Kaldi fbank (16 kHz, povey window, dither 0), frame-major. The mean over time is
    /// subtracted here, as CosyVoice's front-end does before the model.
    /// </summary>
    public float[] EmbedSpeaker(ReadOnlySpan<float> fbankFrames, int frameCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        if (fbankFrames.Length != frameCount * FbankBins)
        {
            throw new ArgumentException($"Expected {frameCount} x {FbankBins} fbank values, got {fbankFrames.Length}.", nameof(fbankFrames));
        }

        var input = new float[fbankFrames.Length];
        Span<float> mean = stackalloc float[FbankBins];
        for (var f = 0; f < frameCount; f++)
        {
            for (var b = 0; b < FbankBins; b++)
            {
                mean[b] += fbankFrames[(f * FbankBins) + b];
            }
        }

        for (var b = 0; b < FbankBins; b++)
        {
            mean[b] /= frameCount;
        }

        for (var f = 0; f < frameCount; f++)
        {
            for (var b = 0; b < FbankBins; b++)
            {
                input[(f * FbankBins) + b] = fbankFrames[(f * FbankBins) + b] - mean[b];
            }
        }

        var embedding = new float[Profile.SpeakerEmbeddingDim];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, frameCount, FbankBins]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(embedding, [1, embedding.Length]);
        using var runner = new ModelRunner(_models.CampPlus);
        runner.Inputs[0] = inputValue;
        runner.Outputs[0] = outputValue;
        runner.Run();
        return embedding;
    }

    /// <summary>Starts a session for one voice: checks the prompt and projects its speaker embedding.</summary>
    public VocoderSession StartSession(SpeakerPrompt prompt)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(prompt);
        CheckPrompt(prompt);
        var seed = _options.NoiseSeed is { } fixedSeed ? (ulong)fixedSeed : (ulong)Random.Shared.NextInt64();
        var session = new VocoderSession(_models, Chunking, prompt, ProjectSpeaker(prompt.Embedding), seed, _logger);
        Log.SessionStarted(_logger, prompt.FlowTokens.Length / Profile.TokenWidth, prompt.MelFrames);
        return session;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _models.Dispose();
        }
    }

    private void CheckPrompt(SpeakerPrompt prompt)
    {
        var profile = Profile;
        ArgumentNullException.ThrowIfNull(prompt.FlowTokens);
        ArgumentNullException.ThrowIfNull(prompt.Mel);
        ArgumentNullException.ThrowIfNull(prompt.Embedding);
        if (prompt.FlowTokens.Length % profile.TokenWidth != 0)
        {
            throw new ArgumentException($"Prompt flow tokens: {prompt.FlowTokens.Length} ints is not a whole number of {profile.TokenWidth}-int steps.", nameof(prompt));
        }

        for (var i = 0; i < prompt.FlowTokens.Length; i++)
        {
            if ((uint)prompt.FlowTokens[i] >= (uint)profile.VocabSize)
            {
                throw new ArgumentException($"Prompt flow token {prompt.FlowTokens[i]} at {i} is outside the flow vocabulary 0..{profile.VocabSize - 1}.", nameof(prompt));
            }
        }

        if (prompt.MelFrames < 0 || prompt.Mel.Length != prompt.MelFrames * profile.MelBins)
        {
            throw new ArgumentException($"Prompt mel: expected {prompt.MelFrames} x {profile.MelBins} values, got {prompt.Mel.Length}.", nameof(prompt));
        }

        if ((prompt.FlowTokens.Length == 0) != (prompt.MelFrames == 0))
        {
            throw new ArgumentException("Prompt tokens and prompt mel must both be present or both be empty.", nameof(prompt));
        }

        if (prompt.Embedding.Length != profile.SpeakerEmbeddingDim)
        {
            throw new ArgumentException($"Speaker embedding: expected {profile.SpeakerEmbeddingDim} values, got {prompt.Embedding.Length}.", nameof(prompt));
        }
    }

    /// <summary>L2-normalises the embedding (torch F.normalize, eps 1e-12) and applies the flow's spk_embed_affine_layer.</summary>
    private float[] ProjectSpeaker(float[] embedding)
    {
        var norm = Math.Max(System.Numerics.Tensors.TensorPrimitives.Norm(embedding), 1e-12f);
        var normalised = new float[embedding.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(embedding, norm, normalised);
        var spks = new float[Profile.MelBins];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(normalised, [1, normalised.Length]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(spks, [1, spks.Length]);
        using var runner = new ModelRunner(_models.SpeakerAffine);
        runner.Inputs[0] = inputValue;
        runner.Outputs[0] = outputValue;
        runner.Run();
        return spks;
    }

    /// <summary>Runs every model once, then times a second whole pass: its real-time factor (compute over audio seconds).</summary>
    private double WarmUp()
    {
        // A short prompt and utterance of valid ids exercise every model at the shapes the stage uses,
        // so a model that loads but produces other shapes (e.g. another hop) fails here, not mid-reply.
        var profile = Profile;
        var promptIds = new int[10];
        for (var i = 0; i < promptIds.Length; i++)
        {
            promptIds[i] = i % 5 < 2 ? i : FlowTokenMapper.Vq06Offset + i;
        }

        var promptTokens = FlowTokenMapper.MapAll(profile.TokenLayout, promptIds);
        var melFrames = Math.Max(1, profile.FramesForTokens(promptTokens.Length / profile.TokenWidth));
        var embedding = EmbedSpeaker(new float[FbankBins * 10], 10);
        embedding[0] += 1; // a zero embedding has no direction to normalise
        using var session = StartSession(new SpeakerPrompt(promptTokens, new float[melFrames * profile.MelBins], melFrames, embedding));
        session.SynthesizeAll(promptIds);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var samples = session.SynthesizeAll(promptIds).Length;
        var seconds = samples / (double)profile.SampleRate;
        return seconds <= 0 ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds / seconds;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Vocoder profile {Profile} loaded from {Directory}: {SampleRate} Hz, {Layout} tokens")]
        public static partial void Loaded(ILogger logger, string profile, string directory, int sampleRate, FlowTokenLayout layout);

        [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "Vocoder model {File}: asked for {Requested}, runs on {Provider} (fallback: {FallbackReason})")]
        public static partial void ModelProvider(ILogger logger, string file, ExecutionTarget requested, ExecutionTarget provider, string fallbackReason);

        [LoggerMessage(EventId = 1505, Level = LogLevel.Warning,
            Message = "Vocoder profile {Profile} runs on the CPU slower than real time (real-time factor {RealTimeFactor:F2} on its warm-up utterance): replies will pause while it catches up; run it on CUDA (Vocoder:Inference:Provider)")]
        public static partial void SlowerThanRealTimeOnCpu(ILogger logger, string profile, double realTimeFactor);

        [LoggerMessage(EventId = 1506, Level = LogLevel.Information, Message = "Vocoder profile {Profile} runs on the CPU at real-time factor {RealTimeFactor:F2} on its warm-up utterance")]
        public static partial void RealTimeOnCpu(ILogger logger, string profile, double realTimeFactor);

        [LoggerMessage(EventId = 1502, Level = LogLevel.Debug, Message = "Vocoder session started: {PromptSteps} prompt tokens, {PromptFrames} prompt mel frames")]
        public static partial void SessionStarted(ILogger logger, int promptSteps, int promptFrames);
    }
}
