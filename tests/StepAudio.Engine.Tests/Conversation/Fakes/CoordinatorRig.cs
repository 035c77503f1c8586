using System.Threading.Channels;
using StepAudio.Engine.Conversation;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Pipeline.Turns;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Conversation.Fakes;

/// <summary>
/// A turn coordinator on real parts: the stand-in GPU server, the link, the contract vocoder, a voice
/// and a recording output; the test posts the turn signals the listening loop would.
/// </summary>
internal sealed class CoordinatorRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private bool _serverStopped;

    private CoordinatorRig(StandInGpuServer server, GpuServerClient client, StreamingVocoder vocoder, SpeakerVoice voice)
    {
        Server = server;
        Client = client;
        Vocoder = vocoder;
        Voice = voice;
        Output = new RecordingAudioOutput(vocoder.SampleRate);
        Prompts = new TtsPromptBuilder(client, client.Options.TtsModel, client.Options.TtsAddSpecialTokens);
    }

    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public StandInGpuServer Server { get; private set; }

    public GpuServerClient Client { get; }

    public StreamingVocoder Vocoder { get; }

    public SpeakerVoice Voice { get; }

    public TtsPromptBuilder Prompts { get; }

    public RecordingAudioOutput Output { get; }

    public EventRecorder Events { get; } = new();

    public AudioTimeline Timeline { get; } = new();

    public Channel<TurnSignal> Signals { get; } = Channel.CreateUnbounded<TurnSignal>();

    public TurnCoordinator Coordinator { get; private set; } = null!;

    public static async Task<CoordinatorRig> CreateAsync(string modelsRoot, Action<GpuServerOptions>? configure = null)
    {
        var server = await StandInGpuServer.StartAsync(new StandInOptions());
        var options = new GpuServerOptions { BaseAddress = server.BaseAddress, Resilience = { RetryAttempts = 0 } };
        configure?.Invoke(options);
        var client = new GpuServerClient(options);
        var vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = modelsRoot, NoiseSeed = 7 }, new OnnxSessionFactory());
        var voice = new SpeakerVoice("Speak plainly.", "Hello there.", [1, 2, 1030, 1031, 1032], VocoderTestData.Prompt(vocoder));
        return new CoordinatorRig(server, client, vocoder, voice);
    }

    /// <summary>The device's own-voice renderer on this rig's link and vocoder.</summary>
    public VoicePromptRenderer Renderer() => new(Client, Prompts, Vocoder, Voice, "contract-vocoder");

    /// <summary>Builds the coordinator and runs it on <see cref="Signals"/>.</summary>
    public void Start(ConversationContext? context = null, OfflinePrompts? prompts = null, IFollowUpWindow? followUp = null)
    {
        Coordinator = new TurnCoordinator(
            new TurnLink(Client, Prompts),
            new VoiceSelector(Voice, Vocoder),
            Output,
            Events,
            Timeline,
            context ?? new ConversationContext(new ConversationOptions(), Client.Options.SystemPrompt),
            new TurnFeatures(FollowUpWindow: followUp, OfflinePrompts: prompts));
        _running = Coordinator.RunAsync(Signals.Reader, _stop.Token);
    }

    /// <summary>Posts a whole turn (wake, speech, end) carrying <paramref name="groups"/> token groups and waits until it is over.</summary>
    public Task TurnAsync(int turnId, int groups, int seed = 1)
    {
        var tokens = Tokens(groups, seed);
        Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.Wake, Timeline.NowMs, turnId, "hey_jarvis", 0.99f));
        Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.SpeechStart, Timeline.NowMs, turnId));
        Signals.Writer.TryWrite(new TurnSignal(TurnSignalKind.EndOfTurn, Timeline.NowMs, turnId) { Tokens = Task.FromResult(tokens), Reason = "silence" });
        return Coordinator.WhenTurnFinished(turnId).WaitAsync(WaitLimit);
    }

    /// <summary>Stops the stand-in: from now on the server is unreachable.</summary>
    public async Task StopServerAsync()
    {
        _serverStopped = true;
        await Server.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Signals.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        Client.Dispose();
        Vocoder.Dispose();
        if (!_serverStopped)
        {
            await Server.DisposeAsync();
        }
    }

    public static AudioTokens Tokens(int groups, int seed)
    {
        var random = new Random(seed);
        var vq02 = new int[groups * 2];
        var vq06 = new int[groups * 3];
        for (var i = 0; i < vq02.Length; i++)
        {
            vq02[i] = random.Next(1024);
        }

        for (var i = 0; i < vq06.Length; i++)
        {
            vq06[i] = random.Next(4096);
        }

        return new AudioTokens(vq02, vq06);
    }
}
