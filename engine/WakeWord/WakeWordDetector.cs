using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.WakeWord;

/// <summary>
/// openWakeWord's three stages with the reference's framing: every 80 ms (1280 samples at 16 kHz)
/// the mel model sees those samples plus the 480 before them, its frames are scaled
/// <c>x/10 + 2</c> and appended to a 76-frame window; the embedding model turns that window into
/// one 96-d vector; each head scores the last 16 vectors. Input is int16-scaled, as the models
/// were trained. Everything is bound once; a chunk allocates nothing.
/// </summary>
public sealed class WakeWordDetector : IDisposable
{
    /// <summary>New samples per model step (80 ms at 16 kHz).</summary>
    public const int ChunkSamples = 1280;

    /// <summary>Earlier samples the mel model sees with each chunk (three 10 ms hops).</summary>
    public const int MelContextSamples = 480;

    private const int MelBins = 32;
    private const int EmbeddingWindowFrames = 76;
    private const int EmbeddingSize = 96;
    private const int FeatureWindow = 16;

    // The reference reports zero for its first few predictions while the windows fill.
    private const int WarmupPredictions = 5;

    // Four seconds of priming noise, in chunks.
    private const int PrimingChunks = 4 * PipelineAudio.SampleRate / ChunkSamples;

    /// <summary>The mel model's contract.</summary>
    public static readonly ModelSignature MelSignature = new(
        "oww-melspectrogram",
        [new TensorSpec(null, TensorElementType.Float, -1, -1)],
        [new TensorSpec(null, TensorElementType.Float, -1, 1, -1, MelBins)]);

    /// <summary>The embedding model's contract.</summary>
    public static readonly ModelSignature EmbeddingSignature = new(
        "oww-embedding",
        [new TensorSpec(null, TensorElementType.Float, -1, EmbeddingWindowFrames, MelBins, 1)],
        [new TensorSpec(null, TensorElementType.Float, -1, 1, 1, EmbeddingSize)]);

    /// <summary>A head's contract (custom heads must match it).</summary>
    public static readonly ModelSignature HeadSignature = new(
        "oww-head",
        [new TensorSpec(null, TensorElementType.Float, -1, FeatureWindow, EmbeddingSize)],
        [new TensorSpec(null, TensorElementType.Float, -1, 1)]);

    private readonly WakeWordOptions _options;
    private readonly BoundModel _mel;
    private readonly BoundModel _embedding;
    private readonly BoundModel[] _heads;
    private readonly string[] _keywords;
    private readonly float[] _melInput = new float[MelContextSamples + ChunkSamples];
    private readonly float[] _melOutput;
    private readonly int _melFramesPerChunk;
    private readonly float[] _melWindow = new float[EmbeddingWindowFrames * MelBins];
    private readonly float[] _melHistory;
    private readonly float[] _embedding96 = new float[EmbeddingSize];
    private readonly float[] _features = new float[FeatureWindow * EmbeddingSize];
    private readonly float[][] _headScores;
    private readonly long _refractorySamples;
    private int _pending;
    private int _predictions;
    private long _samplesSeen;
    private long _quietUntilSample;
    private int _skippedChunks;

    private WakeWordDetector(WakeWordOptions options, OnnxModel mel, OnnxModel embedding, IReadOnlyList<(string Keyword, OnnxModel Model)> heads)
    {
        _options = options;
        _refractorySamples = (long)options.RefractoryMs * 16;

        // The mel model's frame count for 1760 samples is a property of the model; learn it once.
        _melFramesPerChunk = ProbeMelFrames(mel, _melInput.Length);
        _melOutput = new float[_melFramesPerChunk * MelBins];

        // Mel frames kept so that the embeddings of up to a whole feature window of skipped
        // chunks can be computed late, exactly as they would have been on time.
        _melHistory = new float[(EmbeddingWindowFrames + (_melFramesPerChunk * FeatureWindow)) * MelBins];
        _mel = new BoundModel(mel, _melInput, [1, _melInput.Length], _melOutput, [1, 1, _melFramesPerChunk, MelBins]);
        _embedding = new BoundModel(embedding, _melWindow, [1, EmbeddingWindowFrames, MelBins, 1], _embedding96, [1, 1, 1, EmbeddingSize]);
        _heads = new BoundModel[heads.Count];
        _keywords = new string[heads.Count];
        _headScores = new float[heads.Count][];
        for (var i = 0; i < heads.Count; i++)
        {
            _headScores[i] = new float[1];
            _heads[i] = new BoundModel(heads[i].Model, _features, [1, FeatureWindow, EmbeddingSize], _headScores[i], [1, 1]);
            _keywords[i] = heads[i].Keyword;
        }

        Reset();
    }

    /// <summary>The keywords this detector listens for.</summary>
    public IReadOnlyList<string> Keywords => _keywords;

    /// <summary>The highest head score of the last chunk (for telemetry and tuning).</summary>
    public float LastScore { get; private set; }

    /// <summary>Samples fed since the detector was made or reset.</summary>
    public long SamplesSeen => _samplesSeen;

    /// <summary>Loads the mel, embedding and head models and warms them up.</summary>
    /// <param name="melPath">melspectrogram.onnx.</param>
    /// <param name="embeddingPath">embedding_model.onnx.</param>
    /// <param name="heads">Keyword name and path of each head.</param>
    /// <param name="options">Threshold, refractory period.</param>
    /// <param name="factory">The session factory.</param>
    public static WakeWordDetector Load(
        string melPath,
        string embeddingPath,
        IReadOnlyList<(string Keyword, string Path)> heads,
        WakeWordOptions options,
        OnnxSessionFactory factory)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        if (heads.Count == 0)
        {
            throw new ArgumentException("At least one wake word head is needed.", nameof(heads));
        }

        var loaded = new List<OnnxModel>();
        try
        {
            var inference = InferenceOptions.AlwaysOn;
            var mel = factory.Load(melPath, MelSignature, inference);
            loaded.Add(mel);
            var embedding = factory.Load(embeddingPath, EmbeddingSignature, inference);
            loaded.Add(embedding);
            var headModels = new List<(string, OnnxModel)>();
            foreach (var (keyword, path) in heads)
            {
                var head = factory.Load(path, HeadSignature with { ModelName = $"wake word head '{keyword}'" }, inference);
                loaded.Add(head);
                headModels.Add((keyword, head));
            }

            return new WakeWordDetector(options, mel, embedding, headModels);
        }
        catch
        {
            foreach (var model in loaded)
            {
                model.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Feeds 16 kHz mono samples in [-1, 1], any count. Returns true when a head crossed the
    /// threshold outside the refractory period in one of the chunks completed by this call.
    /// </summary>
    public bool Process(ReadOnlySpan<float> samples, out WakeWordDetection detection) => Process(samples, voiceLikely: true, out detection);

    /// <summary>
    /// As <see cref="Process(ReadOnlySpan{float}, out WakeWordDetection)"/>, gated by the VAD: while
    /// <paramref name="voiceLikely"/> is false only the cheap mel stage runs (the embedding model is
    /// most of the cost); when it turns true the skipped chunks' embeddings are computed from the
    /// kept mel frames before the heads run, so every score is the one the ungated detector gives.
    /// </summary>
    public bool Process(ReadOnlySpan<float> samples, bool voiceLikely, out WakeWordDetection detection)
    {
        detection = default;
        var fired = false;
        while (!samples.IsEmpty)
        {
            var take = Math.Min(ChunkSamples - _pending, samples.Length);
            var target = _melInput.AsSpan(MelContextSamples + _pending, take);
            var source = samples[..take];
            for (var i = 0; i < take; i++)
            {
                // The models were trained on int16 sample values.
                target[i] = source[i] * 32767f;
            }

            _pending += take;
            _samplesSeen += take;
            samples = samples[take..];
            if (_pending < ChunkSamples)
            {
                break;
            }

            _pending = 0;
            if (RunChunk(voiceLikely, out var candidate) && !fired)
            {
                detection = candidate;
                fired = true;
            }

            // The last 480 samples become the next chunk's context.
            _melInput.AsSpan(ChunkSamples).CopyTo(_melInput);
        }

        return fired;
    }

    /// <summary>
    /// Forgets all audio: the mel window restarts at ones and the embedding window is primed from
    /// four seconds of low-level noise, as the reference starts, so the heads never score a window
    /// of zeros; the refractory period and sample count are cleared.
    /// </summary>
    public void Reset()
    {
        Array.Clear(_melInput);
        _melHistory.AsSpan().Fill(1f);
        Array.Clear(_features);
        _pending = 0;
        _skippedChunks = 0;
        _quietUntilSample = long.MaxValue;
        var noise = new float[ChunkSamples];
        var random = new Random(1234);
        for (var chunk = 0; chunk < PrimingChunks; chunk++)
        {
            for (var i = 0; i < noise.Length; i++)
            {
                noise[i] = random.Next(-1000, 1000) / 32767f;
            }

            Process(noise, out _);
        }

        _predictions = 0;
        _samplesSeen = 0;
        _quietUntilSample = 0;
        LastScore = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mel.Dispose();
        _embedding.Dispose();
        foreach (var head in _heads)
        {
            head.Dispose();
        }
    }

    private bool RunChunk(bool voiceLikely, out WakeWordDetection detection)
    {
        detection = default;
        _mel.Run();
        var frames = _melOutput.AsSpan();
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = (frames[i] / 10f) + 2f;
        }

        var shift = _melFramesPerChunk * MelBins;
        _melHistory.AsSpan(shift).CopyTo(_melHistory);
        frames.CopyTo(_melHistory.AsSpan(_melHistory.Length - shift));

        if (!voiceLikely)
        {
            // Chunks count towards the start-up quiet period whether or not the heads ran.
            _predictions = Math.Min(_predictions + 1, WarmupPredictions);
            _skippedChunks = Math.Min(_skippedChunks + 1, FeatureWindow);
            LastScore = 0;
            return false;
        }

        // Catch up: the embeddings of skipped chunks, oldest first, from the windows that ended
        // at each of those chunks; then this chunk's own.
        for (var back = _skippedChunks; back >= 0; back--)
        {
            var end = _melHistory.Length - (back * shift);
            _melHistory.AsSpan(end - _melWindow.Length, _melWindow.Length).CopyTo(_melWindow);
            _embedding.Run();
            _features.AsSpan(EmbeddingSize).CopyTo(_features);
            _embedding96.CopyTo(_features.AsSpan(_features.Length - EmbeddingSize));
        }

        _skippedChunks = 0;

        var best = 0f;
        var bestHead = 0;
        for (var h = 0; h < _heads.Length; h++)
        {
            _heads[h].Run();
            var score = _headScores[h][0];
            if (score > best)
            {
                best = score;
                bestHead = h;
            }
        }

        if (_predictions < WarmupPredictions)
        {
            _predictions++;
            best = 0;
        }

        LastScore = best;
        if (best < _options.Threshold || _samplesSeen < _quietUntilSample)
        {
            return false;
        }

        _quietUntilSample = _samplesSeen + _refractorySamples;
        detection = new WakeWordDetection(_keywords[bestHead], best, _samplesSeen);
        return true;
    }

    private static int ProbeMelFrames(OnnxModel mel, int samples)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(new float[samples], [1, samples]);
        using var runOptions = new RunOptions();
        using var results = mel.Session.Run(runOptions, [mel.InputNames[0]], [input], [mel.OutputNames[0]]);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[3] != MelBins || shape[2] < 1)
        {
            throw new ModelContractException(
                $"Wake word mel model {mel.Path} returned shape [{string.Join(',', shape)}] for {samples} samples; expected [1,1,frames,{MelBins}].");
        }

        return (int)shape[2];
    }

    /// <summary>A model with one input and one output bound to fixed arrays.</summary>
    private sealed class BoundModel : IDisposable
    {
        private readonly OnnxModel _model;
        private readonly OrtValue _input;
        private readonly OrtValue _output;
        private readonly OrtIoBinding _binding;
        private readonly RunOptions _runOptions = new();

        public BoundModel(OnnxModel model, float[] input, long[] inputShape, float[] output, long[] outputShape)
        {
            _model = model;
            _input = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            _output = OrtValue.CreateTensorValueFromMemory(output, outputShape);
            _binding = model.Session.CreateIoBinding();
            _binding.BindInput(model.InputNames[0], _input);
            _binding.BindOutput(model.OutputNames[0], _output);
        }

        public void Run() => _model.Session.RunWithBinding(_runOptions, _binding);

        public void Dispose()
        {
            _binding.Dispose();
            _input.Dispose();
            _output.Dispose();
            _runOptions.Dispose();
            _model.Dispose();
        }
    }
}
