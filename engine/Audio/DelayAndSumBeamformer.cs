using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StepAudio.Engine.Audio;

/// <summary>
/// Far-field delay-and-sum beamformer: delays each microphone so that a plane wave from the steering direction lines up
/// on all of them, then averages. Fractional delays use a Blackman-windowed sinc FIR per channel, so steering is not
/// limited to whole samples. Streaming and allocation-free per call once constructed; not thread-safe.
/// </summary>
/// <remarks>
/// Coordinates are metres in the array's own frame: x to the front (azimuth 0), y to the left (azimuth 90 degrees),
/// z up. A wave from direction u reaches a microphone at p earlier than the origin by (p . u) / c.
/// </remarks>
public sealed class DelayAndSumBeamformer
{
    /// <summary>Taps spent on the fractional part of each delay; 32 keeps the response flat within a few hundredths of a dB to 0.8 x Nyquist.</summary>
    public const int FractionalTaps = 32;

    /// <summary>Frames handled per inner block; longer inputs are processed in pieces.</summary>
    private const int BlockFrames = 1024;

    private readonly int _channels;
    private readonly float[][] _reversedFilters;
    private readonly float[][] _lines;
    private readonly int _filterLength;

    /// <param name="sampleRate">Frames per second of the input.</param>
    /// <param name="positions">Microphone positions in metres, one per input channel, in channel order.</param>
    /// <param name="azimuthDegrees">Steering direction in the horizontal plane, counter-clockwise from x.</param>
    /// <param name="elevationDegrees">Steering elevation above the horizontal plane.</param>
    /// <param name="speedOfSound">Metres per second (343 at 20 degrees C).</param>
    public DelayAndSumBeamformer(
        int sampleRate, IReadOnlyList<Vector3> positions, float azimuthDegrees, float elevationDegrees = 0f, float speedOfSound = 343f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count < 1)
        {
            throw new ArgumentException("A beam needs at least one microphone position.", nameof(positions));
        }

        if (!(speedOfSound > 0f) || !float.IsFinite(azimuthDegrees) || !float.IsFinite(elevationDegrees))
        {
            throw new ArgumentOutOfRangeException(nameof(speedOfSound), "The speed of sound must be positive and the angles finite.");
        }

        _channels = positions.Count;
        SampleRate = sampleRate;
        var azimuth = azimuthDegrees * MathF.PI / 180f;
        var elevation = elevationDegrees * MathF.PI / 180f;
        var direction = new Vector3(MathF.Cos(elevation) * MathF.Cos(azimuth), MathF.Cos(elevation) * MathF.Sin(azimuth), MathF.Sin(elevation));

        // The microphone the wave reaches last gets no steering delay; every other one waits for it.
        var lead = new double[_channels];
        var latest = double.MaxValue;
        for (var m = 0; m < _channels; m++)
        {
            lead[m] = Vector3.Dot(positions[m], direction) / (double)speedOfSound;
            latest = Math.Min(latest, lead[m]);
        }

        SteeringDelaysSeconds = new double[_channels];
        var maxDelaySamples = 0.0;
        for (var m = 0; m < _channels; m++)
        {
            SteeringDelaysSeconds[m] = lead[m] - latest;
            maxDelaySamples = Math.Max(maxDelaySamples, SteeringDelaysSeconds[m] * sampleRate);
        }

        // Every filter shares the same bulk delay (the sinc's centre) so that the sum stays aligned.
        var centre = (FractionalTaps / 2) - 1;
        _filterLength = FractionalTaps + (int)Math.Ceiling(maxDelaySamples);
        LatencyFrames = centre;
        _reversedFilters = new float[_channels][];
        _lines = new float[_channels][];
        for (var m = 0; m < _channels; m++)
        {
            _reversedFilters[m] = ReversedDelayFilter(centre + (SteeringDelaysSeconds[m] * sampleRate), _filterLength, 1f / _channels);
            _lines[m] = new float[_filterLength - 1 + BlockFrames];
        }
    }

    public int SampleRate { get; }

    public int Channels => _channels;

    /// <summary>The delay added to each channel to line up a wave from the steering direction.</summary>
    public double[] SteeringDelaysSeconds { get; }

    /// <summary>The delay, in frames, the output has relative to a wave arriving at the last microphone it reaches.</summary>
    public int LatencyFrames { get; }

    /// <summary>Beamforms whole interleaved frames into <paramref name="mono"/>; returns the frame count.</summary>
    public int Process(ReadOnlySpan<float> interleaved, Span<float> mono)
    {
        if (interleaved.Length % _channels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples is not a whole number of {_channels}-channel frames.", nameof(interleaved));
        }

        var frames = interleaved.Length / _channels;
        if (mono.Length < frames)
        {
            throw new ArgumentException($"The mono buffer holds {mono.Length} samples but {frames} frames need writing.", nameof(mono));
        }

        for (var done = 0; done < frames; done += BlockFrames)
        {
            var count = Math.Min(BlockFrames, frames - done);
            ProcessBlock(interleaved.Slice(done * _channels, count * _channels), mono.Slice(done, count));
        }

        return frames;
    }

    /// <summary>Forgets the history (a new stream).</summary>
    public void Reset()
    {
        foreach (var line in _lines)
        {
            Array.Clear(line);
        }
    }

    private void ProcessBlock(ReadOnlySpan<float> interleaved, Span<float> mono)
    {
        var count = mono.Length;
        var history = _filterLength - 1;
        mono.Clear();
        for (var m = 0; m < _channels; m++)
        {
            var line = _lines[m];
            for (int i = 0, s = m; i < count; i++, s += _channels)
            {
                line[history + i] = interleaved[s];
            }

            var filter = _reversedFilters[m];
            for (var k = 0; k < _filterLength; k++)
            {
                AddScaled(line.AsSpan(k, count), filter[k], mono);
            }

            // Keep the last history samples at the front for the next block.
            line.AsSpan(count, history).CopyTo(line);
        }
    }

    /// <summary>
    /// <paramref name="accumulator"/>[i] += <paramref name="scale"/> x <paramref name="x"/>[i]. Element-wise, with the same
    /// operations in the vector body and the scalar tail, so every output is rounded the same way however the input was
    /// split into calls (a reduction such as TensorPrimitives.Dot sums in an order that depends on alignment).
    /// </summary>
    private static void AddScaled(ReadOnlySpan<float> x, float scale, Span<float> accumulator)
    {
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var acc = ref MemoryMarshal.GetReference(accumulator);
        var n = x.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var factor = new Vector<float>(scale);
            for (; i <= n - width; i += width)
            {
                var sum = Vector.LoadUnsafe(ref acc, (nuint)i) + (factor * Vector.LoadUnsafe(ref xs, (nuint)i));
                sum.StoreUnsafe(ref acc, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref acc, i) += scale * Unsafe.Add(ref xs, i);
        }
    }

    /// <summary>A windowed-sinc filter delaying by <paramref name="delay"/> samples, time-reversed for the dot products, scaled by <paramref name="gain"/>.</summary>
    private static float[] ReversedDelayFilter(double delay, int length, float gain)
    {
        var taps = new double[length];
        var half = FractionalTaps / 2.0;
        var sum = 0.0;
        for (var n = 0; n < length; n++)
        {
            var t = n - delay;
            if (Math.Abs(t) >= half)
            {
                continue;
            }

            // Blackman window centred on the delay, spanning FractionalTaps samples.
            var phase = (t + half) / FractionalTaps;
            var window = 0.42 - (0.5 * Math.Cos(2 * Math.PI * phase)) + (0.08 * Math.Cos(4 * Math.PI * phase));
            var sinc = t == 0 ? 1.0 : Math.Sin(Math.PI * t) / (Math.PI * t);
            taps[n] = sinc * window;
            sum += taps[n];
        }

        var reversed = new float[length];
        for (var n = 0; n < length; n++)
        {
            // Unit gain at DC for every delay, so channels sum without a level that depends on the fraction.
            reversed[length - 1 - n] = (float)(taps[n] / sum * gain);
        }

        return reversed;
    }
}
