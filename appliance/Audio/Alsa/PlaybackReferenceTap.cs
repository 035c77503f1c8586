using StepAudio.Engine.Audio;
using StepAudio.Engine.Echo;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>
/// Hands the echo canceller exactly what goes to the loudspeaker: each rendered period (after gain,
/// fades included) is taken from the first channel, resampled from the device rate to 16 kHz and
/// written to the <see cref="PlaybackReference"/>. Sized per device open; tapping allocates nothing.
/// Used by the playback thread only.
/// </summary>
internal sealed class PlaybackReferenceTap
{
    private readonly PlaybackReference _reference;
    private readonly PolyphaseResampler? _resampler;
    private readonly int _channels;
    private readonly float[] _mono;
    private readonly float[] _mono16k;

    public PlaybackReferenceTap(PlaybackReference reference, AudioStreamFormat device)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(device);
        _reference = reference;
        _channels = device.Channels;
        _mono = new float[Math.Max(device.PeriodFrames, 1)];
        if (device.SampleRate != EchoCanceller.SampleRate)
        {
            _resampler = new PolyphaseResampler(device.SampleRate, EchoCanceller.SampleRate);
            _mono16k = new float[_resampler.MaxOutputFor(_mono.Length) + _resampler.MaxFlushOutput];
        }
        else
        {
            _mono16k = _mono;
        }
    }

    /// <summary>Records one rendered block (interleaved device frames, at most a period) as it is written to the device.</summary>
    public void Tap(ReadOnlySpan<float> interleaved)
    {
        var frames = Math.Min(interleaved.Length / _channels, _mono.Length);
        var mono = _mono.AsSpan(0, frames);
        for (var i = 0; i < frames; i++)
        {
            mono[i] = interleaved[i * _channels];
        }

        if (_resampler is null)
        {
            _reference.Write(mono);
            return;
        }

        var count = _resampler.Process(mono, _mono16k);
        _reference.Write(_mono16k.AsSpan(0, count));
    }

    /// <summary>The stream ended (a drain or a stop): the resampler's tail goes out and it starts afresh.</summary>
    public void EndOfStream()
    {
        if (_resampler is null)
        {
            return;
        }

        var count = _resampler.Flush(_mono16k);
        _reference.Write(_mono16k.AsSpan(0, count));
    }
}
