using StepAudio.ContractModels.Tokenizer;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Voice.Fakes;

/// <summary>
/// The contract tokenizer and two vocoders generated from the same contract models in two model
/// directories: the speech vocoder and the music vocoder, each logging to its own list.
/// </summary>
public sealed class VoiceModels : IDisposable
{
    public VoiceModels()
    {
        Root = Directory.CreateTempSubdirectory("stepaudio-voice-").FullName;
        TokenizerOptions = new TokenizerOptions { ModelDirectory = Path.Combine(Root, "speech"), Inference = new InferenceOptions { IntraOpThreads = 1 }, MaxUtteranceSeconds = 30 };
        TokenizerContractModels.WriteAll(TokenizerOptions.ModelDirectory);
        VocoderContractModels.WriteAll(TokenizerOptions.ModelDirectory);
        VocoderContractModels.WriteAll(Path.Combine(Root, "music"));
        SpeechOptions = VocoderOptionsFor(TokenizerOptions.ModelDirectory);
        MusicOptions = VocoderOptionsFor(Path.Combine(Root, "music"));
        var factory = new OnnxSessionFactory();
        Tokenizer = DualCodebookTokenizer.Load(TokenizerOptions, factory);
        SpeechVocoder = StreamingVocoder.Load(SpeechOptions, factory, SpeechLog);
        MusicVocoder = StreamingVocoder.Load(MusicOptions, factory, MusicLog);
    }

    public string Root { get; }

    public TokenizerOptions TokenizerOptions { get; }

    public VocoderOptions SpeechOptions { get; }

    public VocoderOptions MusicOptions { get; }

    public DualCodebookTokenizer Tokenizer { get; }

    public ListLogger<StreamingVocoder> SpeechLog { get; } = new();

    public ListLogger<StreamingVocoder> MusicLog { get; } = new();

    public StreamingVocoder SpeechVocoder { get; }

    public StreamingVocoder MusicVocoder { get; }

    public VocoderIdentity Speech => new(SpeechVocoder, ModelFingerprint.OfVocoder(SpeechOptions));

    public VocoderIdentity Music => new(MusicVocoder, ModelFingerprint.OfVocoder(MusicOptions));

    /// <summary>A fresh directory for one test's recordings and cache.</summary>
    public string NewDirectory() => Directory.CreateDirectory(Path.Combine(Root, "tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        MusicVocoder.Dispose();
        SpeechVocoder.Dispose();
        Tokenizer.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    // Fixed noise so that a reply's audio is a function of its inputs; no warm-up to keep the fixture quick.
    private static VocoderOptions VocoderOptionsFor(string directory) => new()
    {
        ModelDirectory = directory,
        Inference = new InferenceOptions { IntraOpThreads = 1, WarmUp = false },
        NoiseSeed = 5,
    };
}
