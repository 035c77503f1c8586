using System.Threading.Channels;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.TestSupport.Replay.Fakes;

namespace StepAudio.TestSupport.Replay;

/// <summary>
/// The reply side of the device, whole: a <see cref="TurnCoordinator"/> with the real link, TTS
/// prompt builder and streaming vocoder (the contract vocoder models), talking to a GPU server
/// (the stand-in) and fed turn signals through the same channel the listening loop uses.
/// </summary>
public sealed class ConversationRig : IAsyncDisposable
{
    private readonly StreamingVocoder _vocoder;
    private readonly GpuServerClient _client;
    private readonly Channel<TurnSignal> _signals = Channel.CreateUnbounded<TurnSignal>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    /// <param name="vocoderModelDirectory">A directory holding <c>vocoder/v1</c> (the contract models will do).</param>
    /// <param name="server">The GPU server's root address.</param>
    /// <param name="speculate">Whether pauses start speculative requests (false: the baseline).</param>
    public ConversationRig(string vocoderModelDirectory, Uri server, bool speculate = true)
    {
        _vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = vocoderModelDirectory, NoiseSeed = 7 }, new OnnxSessionFactory());
        ServerOptions = new GpuServerOptions { BaseAddress = server };
        _client = new GpuServerClient(ServerOptions);
        Coordinator = new TurnCoordinator(
            new TurnLink(_client, new TtsPromptBuilder(_client, ServerOptions.TtsModel, ServerOptions.TtsAddSpecialTokens)),
            new VoiceSelector(ReplayVoice.Create(_vocoder), _vocoder),
            Output,
            Events,
            Timeline,
            new ConversationContext(new ConversationOptions(), ServerOptions.SystemPrompt),
            new TurnFeatures(SpeculativeResponses: speculate));
        _running = Coordinator.RunAsync(_signals.Reader, _stop.Token);
    }

    public GpuServerOptions ServerOptions { get; }

    public TurnCoordinator Coordinator { get; }

    public AudioTimeline Timeline { get; } = new();

    public RecordingEventSink Events { get; } = new();

    public CountingAudioOutput Output { get; } = new();

    /// <summary>Sends a signal, as the listening loop would.</summary>
    public void Post(TurnSignal signal)
    {
        if (!_signals.Writer.TryWrite(signal))
        {
            throw new InvalidOperationException("The rig's coordinator stopped.");
        }
    }

    /// <summary>No more signals: the coordinator finishes the reply in progress and stops.</summary>
    public Task CompleteAsync()
    {
        _signals.Writer.TryComplete();
        return _running;
    }

    public async ValueTask DisposeAsync()
    {
        _signals.Writer.TryComplete();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync();
            await _running;
        }

        _stop.Dispose();
        _client.Dispose();
        _vocoder.Dispose();
    }
}
