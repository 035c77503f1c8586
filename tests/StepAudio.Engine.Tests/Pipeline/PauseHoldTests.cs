using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;

namespace StepAudio.Engine.Tests.Pipeline;

public sealed class PauseHoldTests
{
    [Fact]
    public void TryHold_WhenFramesFit_ThenKeepsThemInOrder()
    {
        var hold = new PauseHold(8);
        Assert.True(hold.TryHold([1f, 2f, 3f]));
        Assert.True(hold.TryHold([4f, 5f]));

        Assert.Equal(5, hold.HeldSamples);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], hold.Held.ToArray());
    }

    [Fact]
    public void TryHold_WhenFrameDoesNotFit_ThenRefusesAndKeepsWhatItHeld()
    {
        var hold = new PauseHold(4);
        Assert.True(hold.TryHold([1f, 2f, 3f]));

        Assert.False(hold.TryHold([4f, 5f]));
        Assert.Equal([1f, 2f, 3f], hold.Held.ToArray());
    }

    [Fact]
    public void Clear_WhenHolding_ThenEmptyAndReusable()
    {
        var hold = new PauseHold(4);
        hold.TryHold([1f, 2f, 3f, 4f]);
        hold.Clear();

        Assert.Equal(0, hold.HeldSamples);
        Assert.True(hold.TryHold([9f, 8f, 7f, 6f]));
        Assert.Equal([9f, 8f, 7f, 6f], hold.Held.ToArray());
    }

    [Fact]
    public void Constructor_WhenCapacityNotPositive_ThenThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PauseHold(0));
}
