using System.Threading.Channels;
using StepAudio.Engine.Echo;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;

namespace StepAudio.TestSupport.Room;

/// <summary>
/// The device in a simulated room, run frame by frame in audio time: the loudspeaker's block goes to
/// the playback reference and through the room into the microphone, with talkers on top, and the
/// captured block into the listening loop with its echo stage and barge-in rule.
/// </summary>
public sealed class DuplexRoomRig : IDisposable
{
    private readonly float[] _played = new float[ListeningLoop.FrameSamples];
    private readonly float[] _captured = new float[ListeningLoop.FrameSamples];
    private readonly Channel<TurnSignal> _signals = Channel.CreateUnbounded<TurnSignal>();
    private readonly EchoStage _echo;
    private readonly FullDuplex _duplex;
    private readonly List<TurnSignal> _received = [];

    public DuplexRoomRig(
        WakeWordDetector wakeWord,
        SileroVad vad,
        DualCodebookTokenizer tokenizer,
        EchoCancellerOptions echo,
        BargeInOptions bargeIn,
        int acousticDelaySamples = 640,
        int seed = 1,
        AudioTimeline? timeline = null)
    {
        Room = new SimulatedRoom(RoomImpulseResponse.Synthesize(acousticDelaySamples, seed: seed), seed: seed);
        Reference = PlaybackReference.FromOptions(echo);
        _echo = new EchoStage(echo, Reference);
        _duplex = new FullDuplex(_echo, Playback, bargeIn);
        Timeline = timeline ?? new AudioTimeline();
        Loop = new ListeningLoop(wakeWord, vad, tokenizer, new WakeWordOptions(), new EndpointingOptions(), Timeline, _signals.Writer, _duplex);
    }

    public RoomLoudspeaker Playback { get; } = new();

    public PlaybackReference Reference { get; }

    public SimulatedRoom Room { get; }

    public ListeningLoop Loop { get; }

    public AudioTimeline Timeline { get; }

    public ChannelReader<TurnSignal> Signals => _signals.Reader;

    /// <summary>Signals posted so far (when nobody else reads the channel).</summary>
    public IReadOnlyList<TurnSignal> Received
    {
        get
        {
            while (_signals.Reader.TryRead(out var signal))
            {
                _received.Add(signal);
            }

            return _received;
        }
    }

    /// <summary>Frames processed so far.</summary>
    public long Frames { get; private set; }

    /// <summary>Plays and listens for <paramref name="milliseconds"/> (rounded up to whole frames).</summary>
    public void Run(int milliseconds)
    {
        var frames = (milliseconds * 16 + ListeningLoop.FrameSamples - 1) / ListeningLoop.FrameSamples;
        for (var i = 0; i < frames; i++)
        {
            Step();
        }
    }

    /// <summary>Runs until the loudspeaker has played everything queued, then <paramref name="tailMs"/> more.</summary>
    public void RunUntilPlayed(int tailMs)
    {
        while (Playback.Queued > 0)
        {
            Step();
        }

        Run(tailMs);
    }

    /// <summary>One frame: play, hear, listen.</summary>
    public void Step()
    {
        Playback.Pull(_played);
        Reference.Write(_played);
        Room.Capture(_played, _captured);
        Loop.Process(_captured);
        Frames++;
    }

    /// <summary>A talker starts <paramref name="clip"/> this many ms from now.</summary>
    public long Say(float[] clip, int inMs = 0, float gain = 1f)
    {
        var at = Room.Position + (inMs * 16);
        Room.AddTalker(clip, at, gain);
        return at;
    }

    public void Dispose()
    {
        // Tokenizer work a signal started (a pause's snapshot, a turn's final tokens) must end before
        // the session and the models under it go away.
        foreach (var signal in Received)
        {
            if (signal.Tokens is { } tokens)
            {
                try
                {
                    tokens.Wait(TimeSpan.FromSeconds(30));
                }
                catch (AggregateException)
                {
                    // The test already saw what it needed; only the end matters here.
                }
            }
        }

        Loop.Dispose();
        _duplex.Dispose();
        _echo.Dispose();
    }
}
