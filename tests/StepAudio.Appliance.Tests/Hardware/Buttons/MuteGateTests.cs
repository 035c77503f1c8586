using StepAudio.Appliance.Hardware.Buttons;

namespace StepAudio.Appliance.Tests.Hardware.Buttons;

public sealed class MuteGateTests
{
    [Fact]
    public void Apply_WhenMuted_ZeroesTheFrameAndSaysSo()
    {
        var gate = new MuteGate(muted: true);
        float[] frame = [0.5f, -0.25f, 1f, -1f];

        Assert.True(gate.Apply<float>(frame));
        Assert.All(frame, s => Assert.Equal(0f, s));
    }

    [Fact]
    public void Apply_WhenNotMuted_LeavesTheFrameUntouched()
    {
        var gate = new MuteGate();
        short[] frame = [1200, -3400, 32767];

        Assert.False(gate.Apply<short>(frame));
        Assert.Equal([1200, -3400, 32767], frame);
    }

    [Fact]
    public void SetMuted_WhenStateChanges_ReportsOnceAndReturnsTrue()
    {
        var gate = new MuteGate();
        var reported = new List<bool>();
        gate.MutedChanged += reported.Add;

        Assert.True(gate.SetMuted(true));
        Assert.False(gate.SetMuted(true));
        Assert.True(gate.SetMuted(false));

        Assert.Equal([true, false], reported);
        Assert.False(gate.IsMuted);
    }

    [Fact]
    public void Toggle_WhenCalledTwice_FlipsAndReportsEachTime()
    {
        var gate = new MuteGate();
        var reported = new List<bool>();
        gate.MutedChanged += reported.Add;

        Assert.True(gate.Toggle());
        Assert.True(gate.IsMuted);
        Assert.False(gate.Toggle());

        Assert.Equal([true, false], reported);
    }

    [Fact]
    public void Toggle_WhenRacedFromManyThreads_LandsOnTheParityOfTheCount()
    {
        var gate = new MuteGate();
        Parallel.For(0, 10_001, _ => gate.Toggle());

        Assert.True(gate.IsMuted);
    }

    [Fact]
    public void Apply_WhenWarm_AllocatesNothingPerFrame()
    {
        var gate = new MuteGate(muted: true);
        var frame = new float[512];
        gate.Apply<float>(frame);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            gate.Apply<float>(frame);
            gate.SetMuted(i % 2 == 0);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
