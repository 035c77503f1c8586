using System.Diagnostics;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.TestSupport.Replay;

/// <summary>
/// Plays scripted turns into a <see cref="ConversationRig"/> the way the listening loop would:
/// 32 ms frames in real time (or scaled), each frame's VAD probability through the real
/// <see cref="EndpointDetector"/>, pause audio held back with the real <see cref="PauseHold"/>,
/// and the resulting turn signals, with the tokens of the audio each one covers, posted to the
/// coordinator. The next turn starts when the reply to the last one is over.
/// </summary>
public sealed class ReplayDriver(ConversationRig rig, ScriptedTokenSource tokens, EndpointingOptions endpointing, double timeScale = 1.0)
{
    private const int FrameMs = 32;
    private const int FrameSamples = FrameMs * 16;
    private static readonly TimeSpan TurnLimit = TimeSpan.FromSeconds(60);
    private int _turnId;

    /// <summary>Plays <paramref name="turns"/> one after another; returns what was posted for each. Turn ids go on across calls.</summary>
    public async Task<IReadOnlyList<ReplayTurnInput>> RunAsync(IReadOnlyList<ReplayTurnScript> turns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var inputs = new List<ReplayTurnInput>(turns.Count);
        foreach (var script in turns)
        {
            var turnId = ++_turnId;
            var input = await PlayTurnAsync(script, turnId, cancellationToken);
            inputs.Add(input);
            await rig.Coordinator.WhenTurnFinished(turnId).WaitAsync(TurnLimit, cancellationToken);
        }

        return inputs;
    }

    private async Task<ReplayTurnInput> PlayTurnAsync(ReplayTurnScript script, int turnId, CancellationToken cancellationToken)
    {
        var endpoint = new EndpointDetector(endpointing);
        var hold = new PauseHold(10_000 * 16);
        var frame = new float[FrameSamples];
        var vad = new Random(script.Seed);
        var timeline = rig.Timeline;
        rig.Post(new TurnSignal(TurnSignalKind.Wake, timeline.AudioMs, turnId, "replay", 1f));
        endpoint.Reset((long)timeline.AudioMs);

        var state = new TurnProgress();
        var clock = Stopwatch.StartNew();
        foreach (var segment in script.Segments)
        {
            for (var ms = 0; ms < segment.Ms; ms += FrameMs)
            {
                await PaceAsync(clock, state.Frames++, cancellationToken);
                if (Step(state, Probability(segment.IsSpeech, vad)) is { } ended)
                {
                    return ended;
                }
            }
        }

        // The user stays quiet after the script (no more blips) until the endpointing ends the turn.
        for (var ms = 0; ms < endpointing.NoSpeechTimeoutMs + endpointing.EndOfTurnMs; ms += FrameMs)
        {
            await PaceAsync(clock, state.Frames++, cancellationToken);
            if (Step(state, 0.03f) is { } ended)
            {
                return ended;
            }
        }

        throw new InvalidOperationException(
            $"Replay turn {script.Index} ended its script ({script.TotalMs} ms) and {endpointing.EndOfTurnMs} ms of silence without the endpointing ending the turn.");

        ReplayTurnInput? Step(TurnProgress state, float probability)
        {
            timeline.Advance(FrameSamples);
            if (endpoint.State == TurnState.UserPaused && hold.TryHold(frame))
            {
                // Held back, as the listening loop does, until the pause is decided.
            }
            else
            {
                state.TokenizedSamples += hold.HeldSamples + FrameSamples;
                hold.Clear();
            }

            var step = endpoint.Advance(probability, FrameMs);
            switch (step.Kind)
            {
                case EndpointEventKind.SpeechStart:
                    rig.Post(new TurnSignal(TurnSignalKind.SpeechStart, step.AtMs, turnId));
                    break;
                case EndpointEventKind.Pause:
                    state.Pauses++;
                    rig.Post(new TurnSignal(TurnSignalKind.Pause, step.AtMs, turnId) { Tokens = Task.FromResult(tokens.Tokens(script.Seed, state.TokenizedSamples)) });
                    break;
                case EndpointEventKind.Resume:
                    state.TokenizedSamples += hold.HeldSamples;
                    hold.Clear();
                    rig.Post(new TurnSignal(TurnSignalKind.Resume, step.AtMs, turnId));
                    break;
                case EndpointEventKind.EndOfTurn:
                case EndpointEventKind.MaxLengthReached:
                    hold.Clear();
                    var final = tokens.Tokens(script.Seed, state.TokenizedSamples);
                    var reason = step.Kind == EndpointEventKind.EndOfTurn ? "silence" : "max_length";
                    rig.Post(new TurnSignal(TurnSignalKind.EndOfTurn, step.AtMs, turnId) { Tokens = Task.FromResult(final), Reason = reason });
                    return new ReplayTurnInput(turnId, script, final, state.Pauses, step.AtMs);
                case EndpointEventKind.NoSpeech:
                    rig.Post(new TurnSignal(TurnSignalKind.NoSpeech, step.AtMs, turnId));
                    return new ReplayTurnInput(turnId, script, null, state.Pauses, step.AtMs);
            }

            return null;
        }
    }

    private async Task PaceAsync(Stopwatch clock, int frameIndex, CancellationToken cancellationToken)
    {
        if (timeScale <= 0)
        {
            return;
        }

        var due = TimeSpan.FromMilliseconds(frameIndex * FrameMs * timeScale);
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>The VAD's view of a frame: speech near 0.9 with rare undecided dips; silence near 0.03 with rare one-frame blips (a click, a breath).</summary>
    private static float Probability(bool speech, Random random)
    {
        var roll = random.NextDouble();
        return speech ? (roll < 0.04 ? 0.42f : 0.9f) : (roll < 0.005 ? 0.7f : 0.03f);
    }

    /// <summary>Where the turn being played stands.</summary>
    private sealed class TurnProgress
    {
        public int Frames { get; set; }

        public int TokenizedSamples { get; set; }

        public int Pauses { get; set; }
    }
}

/// <summary>What the driver posted for one turn.</summary>
/// <param name="TurnId">The coordinator's turn id.</param>
/// <param name="Script">The script played.</param>
/// <param name="FinalTokens">The tokens the end of the turn carried; null when nobody spoke.</param>
/// <param name="Pauses">Pauses the endpointing found (each one a speculation).</param>
/// <param name="EndedAtMs">When the endpointing ended the turn (timeline ms).</param>
public sealed record ReplayTurnInput(int TurnId, ReplayTurnScript Script, AudioTokens? FinalTokens, int Pauses, double EndedAtMs);
