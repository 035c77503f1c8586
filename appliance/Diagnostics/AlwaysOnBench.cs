using System.Diagnostics;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Models;
using StepAudio.Engine.Vad;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>One measured pass of the always-on stages.</summary>
/// <param name="Name">quiet_room or voice.</param>
/// <param name="GateOpen">Whether the wake word's VAD gate was held open (every stage runs) or closed (mel stage only).</param>
/// <param name="AudioSeconds">Audio fed.</param>
/// <param name="Frames">32 ms frames fed.</param>
/// <param name="CpuMsPerAudioSecond">Process CPU time (all threads) per second of audio.</param>
/// <param name="RealTimeFactor">Wall time over audio time: 0.01 means a hundred times faster than real time.</param>
/// <param name="BytesPerFrame">Managed bytes allocated on the audio thread per frame.</param>
public sealed record AlwaysOnPass(string Name, bool GateOpen, double AudioSeconds, int Frames, double CpuMsPerAudioSecond, double RealTimeFactor, double BytesPerFrame);

/// <summary>
/// The on-device measurement behind <c>stepaudio-edge bench</c>: the pinned wake word and Silero
/// VAD, fed 32 ms frames of synthetic audio the way the listening loop feeds them, timed with the
/// process's CPU clock and the calling thread's allocation counter. No benchmark harness: it runs
/// on the appliance, with the appliance's build.
/// </summary>
public sealed class AlwaysOnBench : IDisposable
{
    /// <summary>The listening loop's frame: 512 samples, 32 ms at 16 kHz.</summary>
    public const int FrameSamples = SileroVad.FrameSize;

    private const int SampleRate = PipelineAudio.SampleRate;

    private readonly WakeWordDetector _wakeWord;
    private readonly SileroVad _vad;

    private AlwaysOnBench(WakeWordDetector wakeWord, SileroVad vad, TimeSpan loadTime)
    {
        _wakeWord = wakeWord;
        _vad = vad;
        LoadTime = loadTime;
    }

    /// <summary>Loading the verified models, including the session factory's warm-up runs.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>The first second of audio through both stages (JIT, first-run buffers), not counted in a pass.</summary>
    public TimeSpan WarmUpTime { get; private set; }

    /// <summary>Loads the wake word (mel, embedding and the given pinned heads) and the VAD from the verified cache.</summary>
    /// <exception cref="ModelIntegrityException">A pinned model is missing or corrupt.</exception>
    public static AlwaysOnBench Load(ModelStore store, IReadOnlyList<string> pinnedHeads, WakeWordOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pinnedHeads);
        var clock = Stopwatch.StartNew();
        var factory = new OnnxSessionFactory();
        var heads = pinnedHeads.Select(name => (name, store.GetVerifiedPath(name))).ToList();
        var wakeWord = WakeWordDetector.Load(store.GetVerifiedPath("oww-melspectrogram"), store.GetVerifiedPath("oww-embedding"), heads, options, factory);
        try
        {
            var vad = SileroVad.Load(store.GetVerifiedPath("silero-vad-v5"), factory);
            return new AlwaysOnBench(wakeWord, vad, clock.Elapsed);
        }
        catch
        {
            wakeWord.Dispose();
            throw;
        }
    }

    /// <summary>Low room noise: what the device hears most of the day.</summary>
    public static float[] QuietRoom(double seconds, int seed = 7)
    {
        var random = new Random(seed);
        var audio = new float[FrameCount(seconds) * FrameSamples];
        for (var i = 0; i < audio.Length; i++)
        {
            audio[i] = ((float)random.NextDouble() - 0.5f) * 0.004f;
        }

        return audio;
    }

    /// <summary>A voiced, syllable-modulated harmonic signal over room noise: something to keep every stage busy.</summary>
    public static float[] Voice(double seconds, int seed = 11)
    {
        var audio = QuietRoom(seconds, seed);
        for (var i = 0; i < audio.Length; i++)
        {
            var t = i / (double)SampleRate;
            var pitch = 120 + (20 * Math.Sin(2 * Math.PI * 0.7 * t));
            var syllables = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 4 * t));
            var sample = 0.0;
            for (var harmonic = 1; harmonic <= 12; harmonic++)
            {
                sample += Math.Sin(2 * Math.PI * pitch * harmonic * t) / harmonic;
            }

            audio[i] += (float)(0.15 * syllables * sample);
        }

        return audio;
    }

    /// <summary>Feeds <paramref name="audio"/> frame by frame (VAD, then the wake word with the gate as given) and measures it.</summary>
    public AlwaysOnPass Run(string name, float[] audio, bool gateOpen)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var frames = audio.Length / FrameSamples;
        if (frames == 0)
        {
            throw new ArgumentException("At least one 32 ms frame of audio is needed.", nameof(audio));
        }

        // Untimed: the first second settles the gate (a gate opening computes the skipped embeddings) and warms the path.
        var clock = Stopwatch.StartNew();
        Feed(audio.AsSpan(0, Math.Min(audio.Length, SampleRate / FrameSamples * FrameSamples)), gateOpen);
        if (WarmUpTime == TimeSpan.Zero)
        {
            WarmUpTime = clock.Elapsed;
        }

        // From an empty allocation context: a runtime suspension while the thread is inside ONNX Runtime would
        // otherwise count the unused rest of its allocation block (up to about 8 KB) as allocated.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        Feed(audio.AsSpan(0, frames * FrameSamples), gateOpen);
        var wall = Stopwatch.GetElapsedTime(start);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;

        var audioSeconds = frames * FrameSamples / (double)SampleRate;
        return new AlwaysOnPass(name, gateOpen, audioSeconds, frames, cpu.TotalMilliseconds / audioSeconds, wall.TotalSeconds / audioSeconds, bytes / (double)frames);
    }

    public void Dispose()
    {
        _wakeWord.Dispose();
        _vad.Dispose();
    }

    private static int FrameCount(double seconds) => Math.Max(1, (int)Math.Round(seconds * SampleRate / FrameSamples));

    private void Feed(ReadOnlySpan<float> audio, bool gateOpen)
    {
        for (var offset = 0; offset + FrameSamples <= audio.Length; offset += FrameSamples)
        {
            var frame = audio.Slice(offset, FrameSamples);
            _vad.Process(frame);
            _wakeWord.Process(frame, gateOpen, out _);
        }
    }
}
