namespace StepAudio.TestSupport.Allocation;

/// <summary>Bytes the current thread allocates in a window, read so that only real allocations count.</summary>
/// <remarks>
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> counts the thread's whole allocation context (a block of about
/// 8 KB) as used when the runtime fixes the context up while the thread is in native code (an ONNX Runtime run,
/// SpeexDSP, a wait): at a collection, or any other suspension that another test in the process may cause. A window
/// that allocated nothing would then read as up to 8 KB. Each window therefore starts with an empty context (a gen0
/// collection hands the thread's block back): nothing unused is left to miscount, and what the window allocates
/// itself still counts in full.
/// </remarks>
public static class AllocationMeter
{
    /// <summary>What <paramref name="window"/> allocated on this thread.</summary>
    public static long Measure(Action window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var open = Open();
        window();
        return open.Close();
    }

    /// <summary>Starts a window; <see cref="AllocationWindow.Close"/> ends it. For steps that cannot be repeated in a lambda.</summary>
    public static AllocationWindow Open()
    {
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        return new AllocationWindow(GC.GetAllocatedBytesForCurrentThread());
    }
}

/// <summary>One open measuring window (see <see cref="AllocationMeter"/>).</summary>
public readonly struct AllocationWindow
{
    private readonly long _before;

    internal AllocationWindow(long before) => _before = before;

    /// <summary>The bytes this thread allocated since the window opened.</summary>
    public long Close() => GC.GetAllocatedBytesForCurrentThread() - _before;
}
