using System.Threading.Channels;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Engine.Pipeline.Listening;

/// <summary>
/// The always-on part of the pipeline, run on the audio thread: every 32 ms frame goes to the
/// pre-roll ring, the wake word and the VAD; during a turn it also feeds the tokenizer and the
/// endpointing state machine, and posts each turn-taking step to the coordinator. Once warm a
/// frame allocates nothing; only turn boundaries (a few per turn) do.
/// </summary>
public sealed partial class ListeningLoop : IDisposable
{
    /// <summary>Samples per VAD frame, the loop's unit of work.</summary>
    public const int FrameSamples = SileroVad.FrameSize;

    private const int FrameMs = FrameSamples / 16;

    private readonly WakeWordDetector _wakeWord;
    private readonly SileroVad _vad;
    private readonly DualCodebookTokenizer _tokenizer;
    private readonly EndpointDetector _endpoint;
    private readonly AudioTimeline _timeline;
    private readonly ChannelWriter<TurnSignal> _signals;
    private readonly PreRollBuffer _preRoll;
    private readonly float[] _preRollScratch;
    private readonly float[] _frame = new float[FrameSamples];

    // Pause audio waits here until the pause is decided (longest end-of-turn silence the options allow).
    private readonly PauseHold _pauseHold = new(PipelineAudio.SamplesFor(EndpointingOptions.MaxEndOfTurnMs));

    // The pause's snapshot while all audio since it is held: the turn's final tokens, if it ends here.
    private Task<AudioTokens>? _pauseTokens;
    private readonly float[] _cleanFrame = new float[FrameSamples];
    private readonly FullDuplex? _duplex;
    private WakeWordOptions _wakeOptions;
    private EndpointingOptions _endpointing;
    private int _pending;
    private TokenizerSession? _session;
    private int _turnId;
    private bool _turnRequested;
    private int _voiceGateFrames;
    private long _framesProcessed;
    private long _busyTicks;
    private readonly float[] _recentEnergy = new float[32];
    private int _recentEnergyIndex;
    private double? _noiseFloor; // null until the first frame

    public ListeningLoop(
        WakeWordDetector wakeWord,
        SileroVad vad,
        DualCodebookTokenizer tokenizer,
        WakeWordOptions wakeOptions,
        EndpointingOptions endpointing,
        AudioTimeline timeline,
        ChannelWriter<TurnSignal> signals,
        FullDuplex? duplex = null)
    {
        ArgumentNullException.ThrowIfNull(wakeWord);
        ArgumentNullException.ThrowIfNull(vad);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(wakeOptions);
        ArgumentNullException.ThrowIfNull(endpointing);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(signals);
        _wakeWord = wakeWord;
        _vad = vad;
        _tokenizer = tokenizer;
        _wakeOptions = wakeOptions;
        _endpointing = endpointing;
        _endpoint = new EndpointDetector(endpointing);
        _timeline = timeline;
        _signals = signals;
        _duplex = duplex;
        _preRoll = new PreRollBuffer(2 * PipelineAudio.SampleRate);
        _preRollScratch = new float[_preRoll.Capacity];
    }

    /// <summary>The id of the current or last turn (1 for the first).</summary>
    public int TurnId => _turnId;

    /// <summary>True between a wake and the end of its turn.</summary>
    public bool InTurn => _session is not null;

    /// <summary>The last VAD probability (for telemetry and the LED ring).</summary>
    public float LastSpeechProbability { get; private set; }

    /// <summary>Frames processed since start: the heartbeat that gates the watchdog.</summary>
    public long FramesProcessed => Volatile.Read(ref _framesProcessed);

    /// <summary>Stopwatch ticks spent processing frames since start (the listening loop's CPU cost).</summary>
    public long BusyTicks => Volatile.Read(ref _busyTicks);

    /// <summary>Takes new thresholds and timings from the next frame on.</summary>
    public void UpdateOptions(WakeWordOptions wakeOptions, EndpointingOptions endpointing)
    {
        ArgumentNullException.ThrowIfNull(wakeOptions);
        _wakeOptions = wakeOptions;
        _endpoint.UpdateOptions(endpointing);
        _endpointing = endpointing;
    }

    /// <summary>Starts a turn at the next frame as if the wake word had been heard (the action button).</summary>
    public void RequestTurn() => Volatile.Write(ref _turnRequested, true);

    /// <summary>Feeds 16 kHz mono samples in [-1, 1], any count.</summary>
    public void Process(ReadOnlySpan<float> samples)
    {
        while (!samples.IsEmpty)
        {
            var take = Math.Min(FrameSamples - _pending, samples.Length);
            samples[..take].CopyTo(_frame.AsSpan(_pending));
            _pending += take;
            samples = samples[take..];
            if (_pending == FrameSamples)
            {
                _pending = 0;
                ProcessFrame(_frame);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }

    private void ProcessFrame(ReadOnlySpan<float> frame)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            ProcessFrameCore(frame);
        }
        finally
        {
            Volatile.Write(ref _busyTicks, _busyTicks + (System.Diagnostics.Stopwatch.GetTimestamp() - started));
            Volatile.Write(ref _framesProcessed, _framesProcessed + 1);
        }
    }

    private void ProcessFrameCore(ReadOnlySpan<float> frame)
    {
        if (_duplex is not null)
        {
            // Everything below hears the room without the device's own voice.
            _duplex.Clean(frame, _cleanFrame);
            frame = _cleanFrame;
        }

        _timeline.Advance(frame.Length);
        _preRoll.Write(frame);
        TrackLevel(frame);
        var probability = _vad.Process(frame);
        LastSpeechProbability = probability;
        var options = _wakeOptions;
        if (probability >= options.VoiceGateThreshold)
        {
            _voiceGateFrames = (options.VoiceGateHoldMs / FrameMs) + 1;
        }
        else if (_voiceGateFrames > 0)
        {
            _voiceGateFrames--;
        }

        var woke = _wakeWord.Process(frame, voiceLikely: _voiceGateFrames > 0, out var detection);

        if (_session is null)
        {
            if (woke)
            {
                if (_duplex?.PlaybackActive == true)
                {
                    BargeIn("wake", detection.Score, speechMs: 0);
                }

                StartTurn(detection.Keyword, detection.Score);
            }
            else if (Volatile.Read(ref _turnRequested))
            {
                StartTurn("button", 1f);
            }
            else if (_duplex is not null && _duplex.SpeechInterrupts(probability, out var speechMs))
            {
                BargeIn("speech", probability, speechMs);
                StartTurn("barge_in", probability, preRollMs: speechMs + _duplex.PreRollMs);
            }
            else
            {
                AdvanceFollowUp(probability);
            }

            return;
        }

        HoldOrAppend(frame);
        var step = _endpoint.Advance(probability, FrameMs);
        switch (step.Kind)
        {
            case EndpointEventKind.None:
                break;
            case EndpointEventKind.SpeechStart:
                Post(new TurnSignal(TurnSignalKind.SpeechStart, step.AtMs, _turnId));
                break;
            case EndpointEventKind.Pause:
                _pauseTokens = _session.SnapshotAsync(CancellationToken.None).AsTask();
                Post(new TurnSignal(TurnSignalKind.Pause, step.AtMs, _turnId) { Tokens = _pauseTokens });
                break;
            case EndpointEventKind.Resume:
                ReleaseHold();
                Post(new TurnSignal(TurnSignalKind.Resume, step.AtMs, _turnId));
                break;
            case EndpointEventKind.EndOfTurn:
            case EndpointEventKind.MaxLengthReached:
                var session = _session;
                _session = null;
                _pauseHold.Clear();
                var reason = step.Kind == EndpointEventKind.EndOfTurn ? "silence" : "max_length";
                Post(new TurnSignal(TurnSignalKind.EndOfTurn, step.AtMs, _turnId) { Tokens = FinalTokens(session), Reason = reason });
                break;
            case EndpointEventKind.NoSpeech:
                _pauseHold.Clear();
                _pauseTokens = null;
                _session.Dispose();
                _session = null;
                Post(new TurnSignal(TurnSignalKind.NoSpeech, step.AtMs, _turnId));
                break;
        }
    }

    /// <summary>
    /// While the user is paused the frame is held back (see <see cref="PauseHold"/>): the end of
    /// the turn then asks with the very tokens the pause's speculation was asked with.
    /// </summary>
    private void HoldOrAppend(ReadOnlySpan<float> frame)
    {
        if (_endpoint.State == TurnState.UserPaused && _pauseHold.TryHold(frame))
        {
            return;
        }

        ReleaseHold();
        _session!.Append(frame);
    }

    /// <summary>
    /// A turn that ends in a pause whose audio was all held has the pause's snapshot as its final
    /// tokens (same samples, same tokens): no second tokenization, and the speculation commits at
    /// once. Otherwise the session completes as usual.
    /// </summary>
    private Task<AudioTokens> FinalTokens(TokenizerSession session)
    {
        var snapshot = _pauseTokens;
        _pauseTokens = null;
        if (snapshot is null)
        {
            return CompleteAndDispose(session);
        }

        // The session goes once the snapshot is served (disposing earlier would fail it), and off the
        // audio thread: disposing waits for the worker's model call in progress.
        _ = snapshot.ContinueWith(static (_, state) => ((TokenizerSession)state!).Dispose(), session, CancellationToken.None,
            TaskContinuationOptions.RunContinuationsAsynchronously, TaskScheduler.Default);
        return snapshot;
    }

    private void ReleaseHold()
    {
        _pauseTokens = null;
        if (_pauseHold.HeldSamples > 0)
        {
            _session!.Append(_pauseHold.Held);
            _pauseHold.Clear();
        }
    }

    /// <summary>Silences the reply on this very frame, then tells the coordinator (which cancels its streams).</summary>
    private void BargeIn(string trigger, float score, int speechMs)
    {
        _duplex!.Interrupt();
        Post(new TurnSignal(TurnSignalKind.BargeIn, _timeline.AudioMs, _turnId, trigger, score) { Reason = trigger, SpeechMs = speechMs });
    }

    private void StartTurn(string keyword, float score, TurnSignalKind kind = TurnSignalKind.Wake, int preRollMs = -1)
    {
        Volatile.Write(ref _turnRequested, false);
        EndFollowUpForTurn();
        _turnId++;
        var session = _tokenizer.StartSession();

        // The turn starts a little before the detection, so words said right after the wake
        // phrase are kept even though the detector needs a moment to be sure.
        var preRollSamples = Math.Min((preRollMs < 0 ? _wakeOptions.PreRollMs : preRollMs) * 16, _preRollScratch.Length);
        var copied = _preRoll.CopyLatest(_preRollScratch.AsSpan(0, preRollSamples));
        session.Append(_preRollScratch.AsSpan(0, copied));
        _session = session;
        _pauseHold.Clear();
        _pauseTokens = null;
        _endpoint.Reset((long)_timeline.AudioMs);
        Post(new TurnSignal(kind, _timeline.AudioMs, _turnId, keyword, score) { SignalToNoiseDb = SignalToNoiseDb() });
    }

    /// <summary>
    /// Keeps the last second of frame energies and a noise floor that falls at once and rises
    /// slowly (a minimum tracker), so a wake can say how far above the room it was heard.
    /// </summary>
    private void TrackLevel(ReadOnlySpan<float> frame)
    {
        var energy = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(frame) / frame.Length;
        _recentEnergy[_recentEnergyIndex] = energy;
        _recentEnergyIndex = (_recentEnergyIndex + 1) % _recentEnergy.Length;
        var floor = Math.Max(energy, 1e-10);
        _noiseFloor = _noiseFloor is { } tracked && floor >= tracked ? tracked * 1.002 : floor;
    }

    private double SignalToNoiseDb()
    {
        var peak = 0f;
        foreach (var energy in _recentEnergy)
        {
            peak = Math.Max(peak, energy);
        }

        return Math.Round(10 * Math.Log10(Math.Max(peak, 1e-10) / Math.Max(_noiseFloor ?? 0, 1e-10)), 1);
    }

    private static async Task<AudioTokens> CompleteAndDispose(TokenizerSession session)
    {
        try
        {
            return await session.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            session.Dispose();
        }
    }

    private void Post(TurnSignal signal)
    {
        // The channel is unbounded: a turn posts a handful of signals, and the audio thread must never wait.
        if (!_signals.TryWrite(signal))
        {
            throw new InvalidOperationException("The turn coordinator stopped listening.");
        }
    }
}
