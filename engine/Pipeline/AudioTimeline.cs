namespace StepAudio.Engine.Pipeline;

/// <summary>
/// Maps "now" to a position in the input audio: the audio position of the last frame fed, plus
/// the wall-clock time since it was fed. Live capture and real-time file playback advance both
/// together; a file fed as fast as possible pauses while a reply is produced, and the wall clock
/// then measures the reply's real latency.
/// </summary>
public sealed class AudioTimeline
{
    private readonly TimeProvider _time;
    private long _samples;
    private long _stampAtLastFrame;

    public AudioTimeline(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _stampAtLastFrame = _time.GetTimestamp();
    }

    /// <summary>Samples (16 kHz) fed so far.</summary>
    public long Samples => Volatile.Read(ref _samples);

    /// <summary>Position of the last fed sample in ms.</summary>
    public double AudioMs => Samples / 16.0;

    /// <summary>"Now" in ms of input audio.</summary>
    public double NowMs => AudioMs + _time.GetElapsedTime(Volatile.Read(ref _stampAtLastFrame)).TotalMilliseconds;

    /// <summary>Records that <paramref name="count"/> more samples were fed.</summary>
    public void Advance(int count)
    {
        Volatile.Write(ref _stampAtLastFrame, _time.GetTimestamp());
        Interlocked.Add(ref _samples, count);
    }

    /// <summary>Converts a sample position to ms.</summary>
    public static double ToMs(long sample) => sample / 16.0;

    /// <summary>The input-audio position at which an earlier stamp was taken.</summary>
    public double AtMs(long stamp) => NowMs - _time.GetElapsedTime(stamp).TotalMilliseconds;

    /// <summary>A monotonic stamp for measuring latencies.</summary>
    public long Stamp() => _time.GetTimestamp();

    /// <summary>Milliseconds between two stamps.</summary>
    public double Elapsed(long from, long to) => _time.GetElapsedTime(from, to).TotalMilliseconds;
}
