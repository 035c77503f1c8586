namespace StepAudio.Engine.Features;

/// <summary>
/// Paraformer's low-frame-rate stacking, streaming: every output stacks <c>stack</c> consecutive
/// input frames and outputs advance by <c>step</c> frames (7 and 6: 80-d frames every 10 ms
/// become 560-d frames every 60 ms). The stream is left-padded with (stack-1)/2 copies of its
/// first frame; an output is written only once all its frames have arrived (a non-final chunk
/// holds back outputs lacking right context), and <see cref="Finish"/> pads the tail with copies
/// of the last frame, as FunASR's online front-end does.
/// </summary>
public sealed class LowFrameRate
{
    private readonly float[] _pending;
    private int _pendingFrames;
    private bool _started;

    /// <summary>Creates the stacker.</summary>
    public LowFrameRate(int inputDimension = 80, int stack = 7, int step = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stack, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, stack);
        InputDimension = inputDimension;
        Stack = stack;
        Step = step;
        _pending = new float[stack * inputDimension];
    }

    /// <summary>Values per input frame.</summary>
    public int InputDimension { get; }

    /// <summary>Frames per output.</summary>
    public int Stack { get; }

    /// <summary>Input frames between outputs.</summary>
    public int Step { get; }

    /// <summary>Values per output frame.</summary>
    public int OutputDimension => Stack * InputDimension;

    private int LeftPadding => (Stack - 1) / 2;

    /// <summary>The number of outputs a whole utterance of <paramref name="inputFrames"/> frames yields: ceil(n / step).</summary>
    public int OutputCountFor(int inputFrames) => inputFrames <= 0 ? 0 : (inputFrames + Step - 1) / Step;

    /// <summary>
    /// The frames the splice would hold with <paramref name="inputFrames"/> more: the held-back frames, the new ones
    /// and, before the first frame, the left padding (FunASR's splice cache plus the new fbank frames).
    /// </summary>
    public int SpliceFrames(int inputFrames) =>
        inputFrames <= 0 ? _pendingFrames : _pendingFrames + inputFrames + (_started ? 0 : LeftPadding);

    /// <summary>How many outputs <see cref="Accept"/> will write for <paramref name="inputFrames"/> more frames.</summary>
    public int PendingOutputs(int inputFrames)
    {
        if (inputFrames <= 0)
        {
            return 0;
        }

        var available = _pendingFrames + inputFrames + (_started ? 0 : LeftPadding);
        return available < Stack ? 0 : 1 + ((available - Stack) / Step);
    }

    /// <summary>
    /// Appends frames (frame-major) and writes every output that has its full context into
    /// <paramref name="destination"/>. Returns the number of outputs written.
    /// </summary>
    public int Accept(ReadOnlySpan<float> frames, Span<float> destination)
    {
        if (frames.Length % InputDimension != 0)
        {
            throw new ArgumentException($"Frames must be whole {InputDimension}-value frames, got {frames.Length} values.", nameof(frames));
        }

        var count = frames.Length / InputDimension;
        var needed = PendingOutputs(count) * OutputDimension;
        if (destination.Length < needed)
        {
            throw new ArgumentException($"Room for {needed} values is needed, got {destination.Length}.", nameof(destination));
        }

        var written = 0;
        for (var f = 0; f < count; f++)
        {
            var frame = frames.Slice(f * InputDimension, InputDimension);
            if (!_started)
            {
                for (var p = 0; p < LeftPadding; p++)
                {
                    Push(frame);
                }

                _started = true;
            }

            Push(frame);
            if (_pendingFrames == Stack)
            {
                _pending.CopyTo(destination.Slice(written * OutputDimension, OutputDimension));
                written++;
                Drop(Step);
            }
        }

        return written;
    }

    /// <summary>
    /// Ends the utterance: writes the outputs whose centre frame exists, their missing right
    /// context filled with the last frame. Returns the number written (0 or 1 after
    /// <see cref="Accept"/>). The stacker is then empty, as after <see cref="Reset"/>.
    /// </summary>
    public int Finish(Span<float> destination)
    {
        var written = 0;
        while (_pendingFrames > LeftPadding)
        {
            var output = destination.Slice(written * OutputDimension, OutputDimension);
            _pending.AsSpan(0, _pendingFrames * InputDimension).CopyTo(output);
            var last = _pending.AsSpan((_pendingFrames - 1) * InputDimension, InputDimension);
            for (var p = _pendingFrames; p < Stack; p++)
            {
                last.CopyTo(output.Slice(p * InputDimension, InputDimension));
            }

            written++;
            Drop(Math.Min(Step, _pendingFrames));
        }

        Reset();
        return written;
    }

    /// <summary>Forgets everything: the next frame starts a new utterance.</summary>
    public void Reset()
    {
        _pendingFrames = 0;
        _started = false;
    }

    /// <summary>Copies the streaming state of <paramref name="other"/> (same shape).</summary>
    public void CopyStateFrom(LowFrameRate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.InputDimension != InputDimension || other.Stack != Stack || other.Step != Step)
        {
            throw new ArgumentException("The other stacker has a different shape.", nameof(other));
        }

        other._pending.AsSpan(0, other._pendingFrames * InputDimension).CopyTo(_pending);
        _pendingFrames = other._pendingFrames;
        _started = other._started;
    }

    private void Push(ReadOnlySpan<float> frame)
    {
        frame.CopyTo(_pending.AsSpan(_pendingFrames * InputDimension, InputDimension));
        _pendingFrames++;
    }

    private void Drop(int frames)
    {
        var keep = _pendingFrames - frames;
        _pending.AsSpan(frames * InputDimension, keep * InputDimension).CopyTo(_pending);
        _pendingFrames = keep;
    }
}
