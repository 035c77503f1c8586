using System.Threading.Channels;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;
using StepAudio.TestSupport;

namespace StepAudio.Engine.Tests.Fakes;

/// <summary>
/// The listening loop's real stages for a test: openWakeWord with "hey jarvis" and Silero VAD from the pinned models,
/// the dual-codebook tokenizer from the contract models. One per test class; disposed with it.
/// </summary>
internal sealed class ListeningStages : IDisposable
{
    public ListeningStages(ModelsFixture models, ContractModelsFixture contract)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(contract);
        WakeWord = WakeWordDetector.Load(
            models.PathOf("oww-melspectrogram"),
            models.PathOf("oww-embedding"),
            [("hey_jarvis", models.PathOf("oww-hey-jarvis"))],
            new WakeWordOptions(),
            models.Factory);
        Vad = SileroVad.Load(models.PathOf("silero-vad-v5"), models.Factory);
        Tokenizer = DualCodebookTokenizer.Load(new TokenizerOptions { ModelDirectory = contract.Directory }, models.Factory);
    }

    public WakeWordDetector WakeWord { get; }

    public SileroVad Vad { get; }

    public DualCodebookTokenizer Tokenizer { get; }

    /// <summary>A loop on these stages with the default wake word and endpointing settings.</summary>
    public ListeningLoop NewLoop(AudioTimeline timeline, ChannelWriter<TurnSignal> signals, EndpointingOptions? endpointing = null) =>
        new(WakeWord, Vad, Tokenizer, new WakeWordOptions(), endpointing ?? new EndpointingOptions(), timeline, signals);

    public void Dispose()
    {
        Tokenizer.Dispose();
        Vad.Dispose();
        WakeWord.Dispose();
    }
}
