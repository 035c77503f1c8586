using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Echo;

/// <summary>
/// What the loudspeaker actually played, at 16 kHz, for the echo canceller: a single-producer,
/// single-consumer ring without locks. The playback thread <see cref="Write"/>s each block as it
/// goes to the device; the capture thread <see cref="Read"/>s, for each captured block, the
/// reference that lines up with it.
/// </summary>
/// <remarks>
/// Positions count capture samples. Within one stretch of playback both sides run at the nominal
/// rate, so the reference just continues; when the playback starts again after a gap (or fell behind
/// the capture after an underrun), its next sample is anchored where the capture will hear it:
/// the capture's read position plus the playback-to-capture delay (configured, and the device's own
/// queue as the writer reports it). Positions the playback never wrote read as silence.
/// </remarks>
public sealed class PlaybackReference
{
    /// <summary>Below this level a reference sample counts as silence (about -80 dBFS).</summary>
    private const float AudibleLevel = 1e-4f;

    private readonly float[] _ring;
    private readonly int _delaySamples;
    private readonly int _tailSamples;
    private long _burstStart;
    private long _writeEnd;
    private long _audibleEnd = long.MinValue / 2;
    private long _readPosition;

    /// <param name="delaySamples">Playback-to-capture delay beyond what the writer reports (converters, air), in samples.</param>
    /// <param name="tailSamples">How long after the last audible sample the device still counts as playing (the echo tail).</param>
    /// <param name="capacitySamples">Ring size; must exceed the furthest the playback runs ahead of the capture.</param>
    public PlaybackReference(int delaySamples, int tailSamples, int capacitySamples = 4 * PipelineAudio.SampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delaySamples);
        ArgumentOutOfRangeException.ThrowIfNegative(tailSamples);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(capacitySamples, delaySamples);
        _ring = new float[capacitySamples];
        _delaySamples = delaySamples;
        _tailSamples = tailSamples;
    }

    /// <summary>From the echo canceller's options: its configured delay and echo tail.</summary>
    public static PlaybackReference FromOptions(EchoCancellerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PlaybackReference(PipelineAudio.SamplesFor(options.PlaybackDelayMs), PipelineAudio.SamplesFor(options.EchoTailMs));
    }

    /// <summary>The capture position the next <see cref="Read"/> starts at.</summary>
    public long ReadPosition => Volatile.Read(ref _readPosition);

    /// <summary>The capture position after the last reference sample written.</summary>
    public long WritePosition => Volatile.Read(ref _writeEnd);

    /// <summary>
    /// True while the block last read had played audio in it or its echo may still be ringing
    /// (within the tail after the last audible sample). Read on the capture thread.
    /// </summary>
    public bool IsPlaying { get; private set; }

    /// <summary>
    /// Playback thread: records <paramref name="played"/> (16 kHz mono, after gain) as it is handed to a device
    /// that still holds <paramref name="deviceQueuedSamples"/> samples (16 kHz) ahead of it. Returns the capture
    /// position its first sample was placed at.
    /// </summary>
    public long Write(ReadOnlySpan<float> played, int deviceQueuedSamples = 0)
    {
        var position = Volatile.Read(ref _writeEnd);
        if (played.IsEmpty)
        {
            return position;
        }

        var reader = Volatile.Read(ref _readPosition);
        if (position <= reader)
        {
            // Nothing of ours is left ahead of the capture: a new stretch of playback (or the device ran dry).
            // Anchor it where the microphone will hear it.
            position = reader + _delaySamples + Math.Max(0, deviceQueuedSamples);
            Volatile.Write(ref _burstStart, position);
        }

        var start = (int)(position % _ring.Length);
        var first = Math.Min(played.Length, _ring.Length - start);
        played[..first].CopyTo(_ring.AsSpan(start));
        played[first..].CopyTo(_ring);

        var lastAudible = LastAudibleIndex(played);
        if (lastAudible >= 0)
        {
            Volatile.Write(ref _audibleEnd, position + lastAudible + 1);
        }

        Volatile.Write(ref _writeEnd, position + played.Length);
        return position;
    }

    /// <summary>
    /// Capture thread: fills <paramref name="destination"/> with the reference for the next captured block
    /// (silence where nothing was played) and moves on by its length.
    /// </summary>
    public void Read(Span<float> destination)
    {
        var end = Volatile.Read(ref _writeEnd);
        var validFrom = Math.Max(Volatile.Read(ref _burstStart), end - _ring.Length);
        var from = _readPosition;
        var to = from + destination.Length;
        destination.Clear();
        var copyFrom = Math.Max(from, validFrom);
        var copyTo = Math.Min(to, end);
        if (copyFrom < copyTo)
        {
            var count = (int)(copyTo - copyFrom);
            var target = destination.Slice((int)(copyFrom - from), count);
            var start = (int)(copyFrom % _ring.Length);
            var first = Math.Min(count, _ring.Length - start);
            _ring.AsSpan(start, first).CopyTo(target);
            _ring.AsSpan(0, count - first).CopyTo(target[first..]);
        }

        IsPlaying = from < Volatile.Read(ref _audibleEnd) + _tailSamples;
        Volatile.Write(ref _readPosition, to);
    }

    private static int LastAudibleIndex(ReadOnlySpan<float> samples)
    {
        for (var i = samples.Length - 1; i >= 0; i--)
        {
            if (Math.Abs(samples[i]) > AudibleLevel)
            {
                return i;
            }
        }

        return -1;
    }
}
