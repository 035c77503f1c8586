namespace StepAudio.Engine.Vocoder.Flow;

/// <summary>
/// The estimator's guidance batch: pinned buffers laid out exactly as the official estimator export takes
/// them for <c>frames</c> mel frames, batch row 0 conditional and row 1 unconditional:
/// <c>x, mu, cond, velocity</c> <c>[2, bins, frames]</c>, <c>mask</c> <c>[2, 1, frames]</c>, <c>spks</c> <c>[2, bins]</c>, <c>t</c> <c>[2]</c>.
/// The arrays are sized for <see cref="CapacityFrames"/> and reused; only the first
/// <c>2 * bins * frames</c> floats are meaningful for a given run.
/// </summary>
internal sealed class FlowBatch
{
    public FlowBatch(int melBins, int capacityFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        MelBins = melBins;
        Spks = GC.AllocateArray<float>(2 * melBins, pinned: true);
        T = GC.AllocateArray<float>(2, pinned: true);
        Allocate(Math.Max(capacityFrames, 1));
    }

    /// <summary>Mel bins (80).</summary>
    public int MelBins { get; }

    /// <summary>Frames the buffers hold.</summary>
    public int CapacityFrames { get; private set; }

    /// <summary>Bumped whenever the arrays are replaced, so bindings made over the old ones can be dropped.</summary>
    public int Generation { get; private set; }

    public float[] X { get; private set; } = [];

    public float[] Mu { get; private set; } = [];

    public float[] Cond { get; private set; } = [];

    public float[] Mask { get; private set; } = [];

    public float[] Velocity { get; private set; } = [];

    public float[] Spks { get; }

    public float[] T { get; }

    /// <summary>Grows the buffers when a run needs more frames; a no-op once warm.</summary>
    public void EnsureCapacity(int frames)
    {
        if (frames > CapacityFrames)
        {
            Allocate(Math.Max(frames, CapacityFrames * 3 / 2));
        }
    }

    private void Allocate(int frames)
    {
        var size = 2 * MelBins * frames;
        X = GC.AllocateArray<float>(size, pinned: true);
        Mu = GC.AllocateArray<float>(size, pinned: true);
        Cond = GC.AllocateArray<float>(size, pinned: true);
        Velocity = GC.AllocateArray<float>(size, pinned: true);
        Mask = GC.AllocateArray<float>(2 * frames, pinned: true);
        CapacityFrames = frames;
        Generation++;
    }
}
