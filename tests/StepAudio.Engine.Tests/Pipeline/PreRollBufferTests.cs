using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Listening;

namespace StepAudio.Engine.Tests.Pipeline;

public sealed class PreRollBufferTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(250)]
    public void CopyLatest_AfterManyWrites_ReturnsTheNewestSamplesInOrder(int writeSize)
    {
        var buffer = new PreRollBuffer(100);
        var next = 0f;
        for (var i = 0; i < Math.Max(20, 300 / writeSize); i++)
        {
            var chunk = new float[writeSize];
            for (var j = 0; j < writeSize; j++)
            {
                chunk[j] = next++;
            }

            buffer.Write(chunk);
        }

        var latest = new float[60];
        var copied = buffer.CopyLatest(latest);

        Assert.Equal(60, copied);
        for (var j = 0; j < 60; j++)
        {
            Assert.Equal(next - 60 + j, latest[j]);
        }
    }

    [Fact]
    public void CopyLatest_WhenLessWasWritten_ReturnsWhatThereIs()
    {
        var buffer = new PreRollBuffer(100);
        buffer.Write([1f, 2f, 3f]);

        var latest = new float[10];
        var copied = buffer.CopyLatest(latest);

        Assert.Equal(3, copied);
        Assert.Equal([1f, 2f, 3f], latest[..3]);
    }

    [Fact]
    public void Write_WhenWarm_AllocatesNothing()
    {
        var buffer = new PreRollBuffer(1000);
        var frame = new float[512];
        buffer.Write(frame);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            buffer.Write(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
