using System.Diagnostics;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// The operator's Step-Audio models (engine/models/CONTRACT.md): loaded exactly as the service
/// loads them, which checks every tensor against the contract, then released.
/// </summary>
public sealed class OperatorModelCheck : IDiagnosticCheck
{
    private readonly string _directory;
    private readonly Func<OnnxSessionFactory, IDisposable> _load;

    private OperatorModelCheck(string name, string directory, Func<OnnxSessionFactory, IDisposable> load)
    {
        Name = name;
        _directory = directory;
        _load = load;
    }

    public string Name { get; }

    public DiagnosticArea Area => DiagnosticArea.Models;

    /// <summary>The speech tokenizer: vq02 (encoder, CMVN, codebook) and vq06.</summary>
    public static OperatorModelCheck Tokenizer(TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OperatorModelCheck("tokenizer models", options.ModelDirectory, factory => DualCodebookTokenizer.Load(options, factory));
    }

    /// <summary>The vocoder profile: flow, HiFT, CAM++ and vocoder.json.</summary>
    public static OperatorModelCheck Vocoder(VocoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OperatorModelCheck(
            "vocoder models", Path.Combine(options.ModelDirectory, "vocoder", options.Profile), factory => StreamingVocoder.Load(options, factory));
    }

    public async Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        // Loading runs sessions for warm-up: seconds of CPU on a small board, off the caller's thread.
        return await Task.Run(Load, cancellationToken);
    }

    private DiagnosticResult Load()
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using (_load(new OnnxSessionFactory()))
            {
                return DiagnosticResult.Pass(this, $"{_directory}: match the contract, loaded in {clock.Elapsed.TotalMilliseconds:F0} ms");
            }
        }
        catch (Exception ex) when (ex is ModelContractException or VocoderConfigException or CmvnFormatException or NpyFormatException
            or IOException or UnauthorizedAccessException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            return DiagnosticResult.Fail(this, ex.Message);
        }
    }
}
