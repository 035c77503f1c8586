using StepAudio.Engine.Echo;

namespace StepAudio.Engine.Tests.Echo;

public sealed class PlaybackReferenceTests
{
    [Fact]
    public void Read_WhenNothingWasPlayed_GivesSilenceAndNotPlaying()
    {
        var reference = new PlaybackReference(delaySamples: 100, tailSamples: 0);
        var block = Enumerable.Repeat(1f, 64).ToArray();

        reference.Read(block);

        Assert.All(block, s => Assert.Equal(0f, s));
        Assert.False(reference.IsPlaying);
        Assert.Equal(64, reference.ReadPosition);
    }

    [Fact]
    public void Write_WhenPlaybackStartsAfterAGap_AnchorsWhereTheCaptureWillHearIt()
    {
        var reference = new PlaybackReference(delaySamples: 100, tailSamples: 0);
        reference.Read(new float[1000]);

        reference.Write(Ramp(1, 50), deviceQueuedSamples: 20);
        var heard = new float[200];
        reference.Read(heard);

        // Read position 1000 + configured 100 + device 20: the first played sample lands at index 120 of this block.
        Assert.All(heard[..120], s => Assert.Equal(0f, s));
        Assert.Equal(Ramp(1, 50), heard[120..170]);
        Assert.All(heard[170..], s => Assert.Equal(0f, s));
    }

    [Fact]
    public void Write_WhenPlaybackContinues_AppendsWithoutReanchoring()
    {
        var reference = new PlaybackReference(delaySamples: 10, tailSamples: 0);
        reference.Write(Ramp(1, 30));
        reference.Read(new float[5]);

        // Still ahead of the reader: the device queue reported now must not move the stream.
        reference.Write(Ramp(31, 30), deviceQueuedSamples: 500);
        var heard = new float[70];
        reference.Read(heard);

        Assert.Equal(Ramp(1, 60), heard[5..65]);
        Assert.Equal(70, reference.WritePosition);
    }

    [Fact]
    public void IsPlaying_WhenTheLastAudibleSampleIsOlderThanTheTail_TurnsFalse()
    {
        var reference = new PlaybackReference(delaySamples: 0, tailSamples: 100);
        reference.Write(Ramp(1, 50));

        reference.Read(new float[50]);
        Assert.True(reference.IsPlaying);
        reference.Read(new float[100]);
        Assert.True(reference.IsPlaying, "the echo still rings within the tail");
        reference.Read(new float[20]);
        Assert.False(reference.IsPlaying);
    }

    [Fact]
    public async Task ReadAndWrite_WhenOnTwoThreads_EveryReadSampleIsTheOneWrittenForItsPosition()
    {
        // The writer plays a counting signal and notes where each block landed; the reader keeps
        // everything it read. Afterwards every position both touched must hold the value written for
        // it: no torn, stale or misplaced block, whatever the interleaving.
        var reference = new PlaybackReference(delaySamples: 256, tailSamples: 0, capacitySamples: 16384);
        const int total = 300_000;
        var placed = new List<(long Position, int First)>();
        var writer = Task.Run(() =>
        {
            var block = new float[160];
            for (var written = 0; written < total;)
            {
                if (reference.WritePosition - reference.ReadPosition > 4000)
                {
                    Thread.Yield();
                    continue;
                }

                for (var i = 0; i < block.Length; i++)
                {
                    block[i] = written + i + 1;
                }

                placed.Add((reference.Write(block), written + 1));
                written += block.Length;
            }
        });

        var heard = new float[2 * total];
        while (!writer.IsCompleted || reference.ReadPosition + 512 <= reference.WritePosition)
        {
            var position = reference.ReadPosition;
            if (position + 512 > reference.WritePosition || position + 512 > heard.Length)
            {
                Thread.Yield();
                continue;
            }

            reference.Read(heard.AsSpan((int)position, 512));
        }

        await writer;
        var checkedSamples = 0;
        foreach (var (position, first) in placed)
        {
            for (var i = 0; i < 160 && position + i < reference.ReadPosition; i++)
            {
                Assert.Equal(first + i, heard[position + i]);
                checkedSamples++;
            }
        }

        Assert.True(checkedSamples > total / 2, $"only {checkedSamples} samples were checked");
    }

    private static float[] Ramp(int from, int count) => Enumerable.Range(from, count).Select(i => (float)i).ToArray();
}
