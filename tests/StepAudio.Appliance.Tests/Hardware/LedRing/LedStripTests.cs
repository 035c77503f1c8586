using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Tests.Fakes;

namespace StepAudio.Appliance.Tests.Hardware.LedRing;

public sealed class LedStripTests
{
    [Fact]
    public void Apa102Show_WhenGivenColours_WritesStartFrameLedFramesInBgrAndEndFrame()
    {
        var spi = new RecordingSpiDevice();
        using var strip = new Apa102Strip(spi, 3);

        strip.Show([new LedColor(1, 2, 3), new LedColor(255, 0, 0), new LedColor(0, 0, 0)]);

        Assert.Equal(
            [0x00, 0x00, 0x00, 0x00, 0xFF, 3, 2, 1, 0xFF, 0, 0, 255, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
            Assert.Single(spi.Frames));
    }

    [Fact]
    public void Ws2812bShow_WhenGivenColours_EncodesGreenRedBlueThreeSpiBitsPerBit()
    {
        var spi = new RecordingSpiDevice();
        using var strip = new Ws2812bStrip(spi, 2);

        strip.Show([new LedColor(255, 0, 1), new LedColor(0, 0, 0)]);

        var frame = Assert.Single(spi.Frames);
        Assert.Equal([0x92, 0x49, 0x24, 0xDB, 0x6D, 0xB6, 0x92, 0x49, 0x26], frame[..9]);
        Assert.Equal([new LedColor(255, 0, 1), LedColor.Off], RingExpectations.DecodeWs2812b(frame, 2));
    }

    [Fact]
    public void Show_WhenFrameLengthDiffersFromCount_ThrowsNamingBoth()
    {
        using var strip = new Apa102Strip(new RecordingSpiDevice(), 12);

        var ex = Assert.Throws<ArgumentException>(() => strip.Show(new LedColor[11]));

        Assert.Contains("12", ex.Message, StringComparison.Ordinal);
        Assert.Contains("11", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LedDriver.Apa102, true)]
    [InlineData(LedDriver.Apa102, false)]
    [InlineData(LedDriver.Ws2812b, true)]
    [InlineData(LedDriver.Ws2812b, false)]
    public void Dispose_DisposesTheSpiDeviceOnlyWhenOwned(LedDriver driver, bool shouldDispose)
    {
        var spi = new RecordingSpiDevice();
        ILedStrip strip = driver == LedDriver.Apa102 ? new Apa102Strip(spi, 4, shouldDispose) : new Ws2812bStrip(spi, 4, shouldDispose);

        strip.Dispose();

        Assert.Equal(shouldDispose, spi.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => strip.Show(new LedColor[4]));
    }

    [Fact]
    public void FactoryOpen_WhenSpiNodeIsMissing_ThrowsNamingTheNodeAndTheOptions()
    {
        var options = new LedRingOptions { SpiBusId = 250, ChipSelectLine = 7 };

        var ex = Assert.Throws<LedRingUnavailableException>(() => LedStripFactory.Open(options));

        Assert.Contains("/dev/spidev250.7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SpiBusId", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(LedRingOptions.Brightness))]
    [InlineData(nameof(LedRingOptions.LedCount))]
    [InlineData(nameof(LedRingOptions.FrameRate))]
    [InlineData(nameof(LedRingOptions.Driver))]
    public void Validate_WhenAFieldIsOutOfRange_FailsNamingIt(string field)
    {
        var options = new LedRingOptions();
        switch (field)
        {
            case nameof(LedRingOptions.Brightness): options.Brightness = float.NaN; break;
            case nameof(LedRingOptions.LedCount): options.LedCount = 0; break;
            case nameof(LedRingOptions.FrameRate): options.FrameRate = 500; break;
            default: options.Driver = (LedDriver)9; break;
        }

        var result = new LedRingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(field, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenDefaults_Succeeds()
    {
        Assert.True(new LedRingOptionsValidator().Validate(null, new LedRingOptions()).Succeeded);
    }

    [Theory]
    [InlineData(LedDriver.Apa102)]
    [InlineData(LedDriver.Ws2812b)]
    public void RenderAndShow_WhenWarm_AllocatesNothingPerFrame(LedDriver driver)
    {
        var spi = new CountingSpiDevice();
        using ILedStrip strip = driver == LedDriver.Apa102 ? new Apa102Strip(spi, 12) : new Ws2812bStrip(spi, 12);
        var pixels = new LedColor[12];
        strip.Show(pixels);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var ms = 0; ms < 3000; ms += 33)
        {
            LedAnimator.Render((DeviceLedState)(ms % 8), TimeSpan.FromMilliseconds(ms), 0.7f, pixels);
            strip.Show(pixels);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(92, spi.Writes);
    }
}
