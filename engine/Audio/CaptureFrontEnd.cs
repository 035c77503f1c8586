namespace StepAudio.Engine.Audio;

/// <summary>
/// The first stage of the pipeline: interleaved frames from the microphone array at the device's rate in, 16 kHz
/// mono out (a <see cref="ChannelSelection"/>, then a <see cref="PolyphaseResampler"/> unless the device already runs
/// at 16 kHz). The live capture, the <c>listen</c> command and the update's health clip all hear through it, so a
/// file and the room reach the wake word the same way. Buffers are sized once for the largest call; a call
/// allocates nothing. Not thread-safe: one instance per stream (the beam and the resampler keep history).
/// </summary>
public sealed class CaptureFrontEnd
{
    private readonly ChannelSelection _selection;
    private readonly PolyphaseResampler? _resampler;
    private readonly float[] _mono;

    /// <param name="selection">How the channels become one; its channel count is the input's.</param>
    /// <param name="inputRate">The device's sample rate in Hz.</param>
    /// <param name="maxFramesPerCall">The most interleaved frames one <see cref="Process"/> call brings.</param>
    public CaptureFrontEnd(ChannelSelection selection, int inputRate, int maxFramesPerCall)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFramesPerCall);
        _selection = selection;
        InputRate = inputRate;
        MaxFramesPerCall = maxFramesPerCall;
        if (inputRate == PipelineAudio.SampleRate)
        {
            // The selection writes straight into the caller's buffer.
            _mono = [];
        }
        else
        {
            _resampler = new PolyphaseResampler(inputRate, PipelineAudio.SampleRate);
            _mono = new float[maxFramesPerCall];
        }

        MaxOutputSamples = MaxOutputFor(maxFramesPerCall);
    }

    /// <summary>The channel count of the interleaved input.</summary>
    public int Channels => _selection.InputChannels;

    /// <summary>The input's sample rate in Hz.</summary>
    public int InputRate { get; }

    /// <summary>The most interleaved frames one call may bring.</summary>
    public int MaxFramesPerCall { get; }

    /// <summary>The most mono samples one call writes: size the output buffer with it.</summary>
    public int MaxOutputSamples { get; }

    /// <summary>
    /// The stage the options describe for an input of <paramref name="channels"/> at <paramref name="inputRate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options do not fit the input (see <see cref="ChannelSelection.FromOptions"/>).</exception>
    public static CaptureFrontEnd FromOptions(ChannelSelectionOptions options, int channels, int inputRate, int maxFramesPerCall) =>
        new(ChannelSelection.FromOptions(options, channels, inputRate), inputRate, maxFramesPerCall);

    /// <summary>
    /// An upper bound on the mono samples that <paramref name="frames"/> input frames produce, over one call or
    /// spread over several from the start of the stream.
    /// </summary>
    public int MaxOutputFor(int frames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        return _resampler?.MaxOutputFor(frames) ?? frames;
    }

    /// <summary>Selects, resamples and writes the 16 kHz mono samples this input completes.</summary>
    /// <returns>The number of samples written to <paramref name="mono16k"/>.</returns>
    /// <exception cref="ArgumentException">
    /// The input is not whole frames or brings more than <see cref="MaxFramesPerCall"/>, or the output holds fewer
    /// than <see cref="MaxOutputSamples"/>.
    /// </exception>
    public int Process(ReadOnlySpan<float> interleaved, Span<float> mono16k)
    {
        var channels = _selection.InputChannels;
        if (interleaved.Length % channels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples is not a whole number of {channels}-channel frames.", nameof(interleaved));
        }

        var frames = interleaved.Length / channels;
        if (frames > MaxFramesPerCall)
        {
            throw new ArgumentException($"{frames} frames is more than the {MaxFramesPerCall} this stage was sized for.", nameof(interleaved));
        }

        if (mono16k.Length < MaxOutputFor(frames))
        {
            throw new ArgumentException($"The output holds {mono16k.Length} samples but {frames} frames may produce {MaxOutputFor(frames)}.", nameof(mono16k));
        }

        if (_resampler is null)
        {
            return _selection.Process(interleaved, mono16k);
        }

        var mono = _mono.AsSpan(0, _selection.Process(interleaved, _mono));
        return _resampler.Process(mono, mono16k);
    }

    /// <summary>
    /// A whole recording through the stage, aligned with its input: the resampler's delay is removed and its tail
    /// flushed, so a file's words sit where the file has them. Allocates the result; not for the audio thread.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not whole frames.</exception>
    public float[] ProcessAll(ReadOnlySpan<float> interleaved)
    {
        var channels = _selection.InputChannels;
        if (interleaved.Length % channels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples is not a whole number of {channels}-channel frames.", nameof(interleaved));
        }

        var frames = interleaved.Length / channels;
        var all = new float[MaxOutputFor(frames) + MaxOutputSamples + (_resampler?.MaxFlushOutput ?? 0)];
        var written = 0;
        var block = _selection.InputChannels * MaxFramesPerCall;
        for (var start = 0; start < interleaved.Length; start += block)
        {
            written += Process(interleaved.Slice(start, Math.Min(block, interleaved.Length - start)), all.AsSpan(written));
        }

        if (_resampler is null)
        {
            return all.AsSpan(0, written).ToArray();
        }

        written += _resampler.Flush(all.AsSpan(written));
        var latency = Math.Min(_resampler.LatencySamples, written);
        return all.AsSpan(latency, written - latency).ToArray();
    }
}
