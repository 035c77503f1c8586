using StepAudio.Engine.Audio;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>
/// Turns queued mono input into device periods: resamples to the device rate, applies the software gain with a
/// per-sample ramp (no zipper noise), copies the result to every channel and encodes the device's sample format.
/// Keeps the last buffer's worth of frames it produced so that a stop can fade out audio the device gave back.
/// All buffers are sized here; rendering allocates nothing. Used by the playback thread only.
/// </summary>
internal sealed class PlaybackRenderer
{
    private const int InputChunk = 1024;

    private readonly PolyphaseResampler _resampler;
    private readonly AlsaSampleFormat _sampleFormat;
    private readonly int _channels;
    private readonly int _period;
    private readonly float _gainStep;
    private readonly float[] _input = new float[InputChunk];
    private readonly float[] _mono;
    private readonly float[] _interleaved;
    private readonly byte[] _raw;
    private readonly float[] _history;
    private int _monoCount;
    private int _lastRendered;
    private long _historyFrames;
    private float _gain;

    public PlaybackRenderer(int inputRate, AudioStreamFormat device, AlsaSampleFormat sampleFormat, int gainRampMs, float initialGain)
    {
        ArgumentNullException.ThrowIfNull(device);
        _resampler = new PolyphaseResampler(inputRate, device.SampleRate);
        _sampleFormat = sampleFormat;
        _channels = device.Channels;
        _period = device.PeriodFrames;
        _gainStep = 1000f / (Math.Max(1, gainRampMs) * (float)device.SampleRate);
        _gain = initialGain;

        // Room for a period short of one, one chunk's output and the flush tail.
        _mono = new float[_period + _resampler.MaxOutputFor(InputChunk) + _resampler.MaxFlushOutput];
        _interleaved = new float[_period * _channels];
        _raw = new byte[_period * _channels * sampleFormat.BytesPerSample()];
        _history = new float[Math.Max(device.BufferFrames, _period) * _channels];
    }

    public int InputRate => _resampler.InputRate;

    public int PeriodFrames => _period;

    /// <summary>Device-rate frames resampled but not yet rendered.</summary>
    public int PendingFrames => _monoCount;

    public bool HasPeriod => _monoCount >= _period;

    /// <summary>The interleaved float frames of the last <see cref="Render"/> or <see cref="RenderFade"/> (what the device is given).</summary>
    public ReadOnlySpan<float> LastRendered => _interleaved.AsSpan(0, _lastRendered);

    /// <summary>The gain the ramp has reached.</summary>
    public float CurrentGain => _gain;

    /// <summary>Resamples queued input, up to stream position <paramref name="limit"/>, until a period is pending or the queue is empty.</summary>
    /// <returns>How many input samples it took.</returns>
    public int Pull(SampleQueue queue, long limit)
    {
        var taken = 0;
        while (_monoCount < _period)
        {
            var count = queue.Read(_input, limit);
            if (count == 0)
            {
                break;
            }

            taken += count;
            _monoCount += _resampler.Process(_input.AsSpan(0, count), _mono.AsSpan(_monoCount));
        }

        return taken;
    }

    /// <summary>Ends the stream: the resampler's tail becomes pending and it starts afresh. Call once fewer than a period is pending.</summary>
    public void Flush() => _monoCount += _resampler.Flush(_mono.AsSpan(_monoCount));

    /// <summary>Renders up to <paramref name="frames"/> pending frames ramping the gain toward <paramref name="targetGain"/>.</summary>
    /// <returns>The encoded frames, valid until the next call.</returns>
    public ReadOnlySpan<byte> Render(int frames, float targetGain)
    {
        frames = Math.Min(Math.Min(frames, _monoCount), _period);
        var mono = _mono.AsSpan(0, frames);
        ApplyGain(mono, targetGain);
        var interleaved = _interleaved.AsSpan(0, frames * _channels);
        Spread(mono, interleaved);
        Remember(interleaved);
        Consume(frames);
        _lastRendered = interleaved.Length;
        return Encode(interleaved);
    }

    /// <summary>
    /// Renders the fade-out a stop plays: the first <paramref name="rewoundFrames"/> of the audio that follows are the
    /// last frames rendered (the device gave them back), the rest come from what is pending; over
    /// <paramref name="fadeFrames"/> frames the level falls linearly to zero.
    /// </summary>
    public ReadOnlySpan<byte> RenderFade(int rewoundFrames, int fadeFrames, SampleQueue queue)
    {
        fadeFrames = Math.Min(fadeFrames, _period);
        var fromHistory = (int)Math.Min(Math.Min(rewoundFrames, fadeFrames), Math.Min(_historyFrames, _history.Length / _channels));
        var interleaved = _interleaved.AsSpan(0, fadeFrames * _channels);
        CopyFromHistory(fromHistory, rewoundFrames, interleaved);

        var filled = fromHistory;
        if (filled < fadeFrames && rewoundFrames <= fromHistory)
        {
            // Nothing was given back past what we copied: continue with what had not reached the device yet.
            Pull(queue, long.MaxValue);
            var more = Math.Min(fadeFrames - filled, _monoCount);
            var mono = _mono.AsSpan(0, more);
            ApplyGain(mono, _gain);
            Spread(mono, interleaved.Slice(filled * _channels, more * _channels));
            Consume(more);
            filled += more;
        }

        interleaved = interleaved[..(filled * _channels)];
        for (int i = 0, s = 0; i < filled; i++)
        {
            var level = 1f - ((i + 1) / (float)fadeFrames);
            for (var c = 0; c < _channels; c++, s++)
            {
                interleaved[s] *= level;
            }
        }

        _lastRendered = interleaved.Length;
        return Encode(interleaved);
    }

    /// <summary>Drops pending audio and history and restarts the resampler (after a stop).</summary>
    public void Reset()
    {
        _resampler.Reset();
        _monoCount = 0;
        _historyFrames = 0;
    }

    private void ApplyGain(Span<float> mono, float target)
    {
        var gain = _gain;
        var step = _gainStep;
        for (var i = 0; i < mono.Length; i++)
        {
            if (gain != target)
            {
                gain = gain < target ? Math.Min(gain + step, target) : Math.Max(gain - step, target);
            }

            mono[i] *= gain;
        }

        _gain = gain;
    }

    private void Spread(ReadOnlySpan<float> mono, Span<float> interleaved)
    {
        if (_channels == 1)
        {
            mono.CopyTo(interleaved);
            return;
        }

        for (int i = 0, s = 0; i < mono.Length; i++)
        {
            var sample = mono[i];
            for (var c = 0; c < _channels; c++)
            {
                interleaved[s++] = sample;
            }
        }
    }

    private void Remember(ReadOnlySpan<float> interleaved)
    {
        var capacity = _history.Length;
        var start = (int)(_historyFrames * _channels % capacity);
        var first = Math.Min(interleaved.Length, capacity - start);
        interleaved[..first].CopyTo(_history.AsSpan(start));
        interleaved[first..].CopyTo(_history);
        _historyFrames += interleaved.Length / _channels;
    }

    /// <summary>Copies <paramref name="frames"/> frames starting <paramref name="back"/> frames before the end of the history.</summary>
    private void CopyFromHistory(int frames, int back, Span<float> destination)
    {
        var capacity = _history.Length;
        var start = (int)((((_historyFrames - back) * _channels % capacity) + capacity) % capacity);
        var count = frames * _channels;
        var first = Math.Min(count, capacity - start);
        _history.AsSpan(start, first).CopyTo(destination);
        _history.AsSpan(0, count - first).CopyTo(destination[first..]);
    }

    private void Consume(int frames)
    {
        _mono.AsSpan(frames, _monoCount - frames).CopyTo(_mono);
        _monoCount -= frames;
    }

    private ReadOnlySpan<byte> Encode(ReadOnlySpan<float> interleaved)
    {
        var raw = _raw.AsSpan(0, interleaved.Length * _sampleFormat.BytesPerSample());
        PcmSampleConverter.FromFloat(interleaved, _sampleFormat, raw);
        return raw;
    }
}
