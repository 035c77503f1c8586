using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;

namespace StepAudio.Benchmarks.Conversation;

/// <summary>
/// The per-frame cost the pause hold adds to the listening loop while the user is paused: one
/// 32 ms frame copied in, and at a resume the held pause (up to 704 ms) released. 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class PauseHoldBenchmarks
{
    private readonly float[] _frame = new float[512];
    private readonly float[] _session = new float[16000];
    private readonly PauseHold _hold = new(10_000 * 16);

    [Benchmark]
    public int HoldPauseThenRelease()
    {
        // 22 frames: the default end-of-turn silence less the pause threshold.
        for (var i = 0; i < 22; i++)
        {
            _hold.TryHold(_frame);
        }

        var held = _hold.HeldSamples;
        _hold.Held.CopyTo(_session);
        _hold.Clear();
        return held;
    }
}
