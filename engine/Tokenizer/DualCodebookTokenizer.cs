using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// Step-Audio's dual-codebook tokenizer: vq02 (streaming Paraformer encoder + 1024-entry
/// codebook, 16.7 Hz) and vq06 (CosyVoice's 25 Hz tokenizer over Whisper log-mel), merged 2:3.
/// Holds the models, which are shared by every session; a session holds one turn.
/// </summary>
public sealed class DualCodebookTokenizer : IDisposable
{
    private readonly ILogger _logger;
    private readonly int _sessionCapacity;

    private DualCodebookTokenizer(Cmvn cmvn, LinguisticCodebook codebook, Vq02Encoder encoder, Vq06Tokenizer vq06, int sessionCapacity, ILogger logger)
    {
        Cmvn = cmvn;
        Codebook = codebook;
        Encoder = encoder;
        Vq06 = vq06;
        _sessionCapacity = sessionCapacity;
        _logger = logger;
    }

    internal Cmvn Cmvn { get; }

    internal LinguisticCodebook Codebook { get; }

    internal Vq02Encoder Encoder { get; }

    internal Vq06Tokenizer Vq06 { get; }

    /// <summary>
    /// Loads both models, the CMVN and the codebook from <see cref="TokenizerOptions.ModelDirectory"/>
    /// and checks each against engine/models/CONTRACT.md.
    /// </summary>
    /// <exception cref="ModelContractException">A file is missing or a model does not match its contract.</exception>
    /// <exception cref="CmvnFormatException"><c>vq02/am.mvn</c> is malformed.</exception>
    /// <exception cref="NpyFormatException"><c>vq02/linguistic_tokenizer.npy</c> is malformed.</exception>
    public static DualCodebookTokenizer Load(TokenizerOptions options, OnnxSessionFactory factory, ILogger<DualCodebookTokenizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        var directory = options.ModelDirectory;
        if (!Directory.Exists(directory))
        {
            throw new ModelContractException($"Tokenizer model directory {directory} does not exist (see engine/models/CONTRACT.md for its layout).");
        }

        ExportManifest.Verify(directory, "vq02/");
        ExportManifest.Verify(directory, "vq06/");
        var cmvn = Cmvn.Load(RequireFile(directory, "vq02", "am.mvn"));
        if (cmvn.Dimension != Vq02Encoder.InputDim)
        {
            throw new CmvnFormatException($"{Path.Combine(directory, "vq02", "am.mvn")}: dimension {cmvn.Dimension}, the vq02 encoder takes {Vq02Encoder.InputDim} (7 x 80 LFR).");
        }

        var codebook = LinguisticCodebook.Load(RequireFile(directory, "vq02", "linguistic_tokenizer.npy"), AudioTokens.Vq02CodebookSize, Vq02Encoder.OutputDim);
        Vq02Encoder? encoder = null;
        try
        {
            encoder = Vq02Encoder.Load(Path.Combine(directory, "vq02", "encoder.onnx"), factory, options.Inference);
            var vq06 = Vq06Tokenizer.Load(Path.Combine(directory, "vq06", "speech_tokenizer_v1.onnx"), factory, options.Inference);
            var log = (ILogger?)logger ?? NullLogger.Instance;
            TokenizerLog.Loaded(log, directory, encoder.Layers, encoder.CacheWidth, encoder.Provider.ToString(), vq06.Provider.ToString());
            return new DualCodebookTokenizer(cmvn, codebook, encoder, vq06, options.MaxUtteranceSeconds * WhisperLogMelAccumulator.SampleRate, log);
        }
        catch
        {
            encoder?.Dispose();
            throw;
        }
    }

    /// <summary>Starts a turn. Its sample buffer is allocated here, not on the audio loop.</summary>
    public TokenizerSession StartSession() => new(this, _sessionCapacity, _logger);

    /// <summary>Whole-file convenience: one session, all samples, complete.</summary>
    public async ValueTask<AudioTokens> TokenizeAsync(ReadOnlyMemory<float> samples16kMono, CancellationToken ct)
    {
        using var session = StartSession();
        session.Append(samples16kMono.Span);
        return await session.CompleteAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        Vq06.Dispose();
    }

    private static string RequireFile(string directory, string folder, string name)
    {
        var path = Path.Combine(directory, folder, name);
        return File.Exists(path)
            ? path
            : throw new ModelContractException($"Tokenizer file {path} is missing (see engine/models/CONTRACT.md).");
    }
}
