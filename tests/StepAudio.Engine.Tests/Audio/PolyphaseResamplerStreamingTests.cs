using StepAudio.Engine.Audio;
using Xunit;

namespace StepAudio.Engine.Tests.Audio;

public sealed class PolyphaseResamplerStreamingTests
{
    public static TheoryData<int, int, int> ChunkCases()
    {
        var cases = new TheoryData<int, int, int>();
        foreach (var (from, to) in new[] { (48000, 16000), (22050, 48000), (44100, 16000), (8000, 16000) })
        {
            foreach (var chunk in new[] { 1, 7, 160, 512, 4096 })
            {
                cases.Add(from, to, chunk);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(ChunkCases))]
    public void Process_WhenFedInChunks_ThenBitIdenticalToOneCall(int inputRate, int outputRate, int chunk)
    {
        var input = Mixed(inputRate, 20011);
        var whole = RunInChunks(new PolyphaseResampler(inputRate, outputRate), input, input.Length);

        var chunked = RunInChunks(new PolyphaseResampler(inputRate, outputRate), input, chunk);

        Assert.Equal(whole, chunked);
    }

    [Fact]
    public void Process_WhenStreamed_ThenMatchesResampleAllShiftedByLatency()
    {
        var input = Mixed(44100, 30000);
        var resampler = new PolyphaseResampler(44100, 16000);

        var streamed = RunInChunks(resampler, input, 441);
        var aligned = PolyphaseResampler.ResampleAll(input, 44100, 16000);

        Assert.Equal(aligned, streamed.AsSpan(resampler.LatencySamples).ToArray());
    }

    [Theory]
    [InlineData(48000, 16000, 1280 * 3)]
    [InlineData(22050, 48000, 1024)]
    public void Process_WhenWarm_ThenAllocatesNothing(int inputRate, int outputRate, int chunk)
    {
        var resampler = new PolyphaseResampler(inputRate, outputRate);
        var input = Mixed(inputRate, chunk);
        var output = new float[resampler.MaxOutputFor(chunk)];
        var tail = new float[resampler.MaxFlushOutput];
        resampler.Process(input, output);
        resampler.Flush(tail);
        resampler.Process(input, output);

        var before = GC.GetAllocatedBytesForCurrentThread();
        resampler.Process(input, output);
        resampler.Flush(tail);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(48000, 16000)]
    [InlineData(22050, 48000)]
    [InlineData(16000, 22050)]
    public void Process_WhenAnyChunkSizes_ThenNeverWritesMoreThanTheBounds(int inputRate, int outputRate)
    {
        var resampler = new PolyphaseResampler(inputRate, outputRate);
        var random = new Random(11);
        var output = new float[resampler.MaxOutputFor(10000) + resampler.MaxFlushOutput];
        for (var round = 0; round < 200; round++)
        {
            var count = random.Next(0, 1000);
            Assert.InRange(resampler.Process(new float[count], output), 0, resampler.MaxOutputFor(count));
            if (round % 37 == 0)
            {
                Assert.InRange(resampler.Flush(output), 0, resampler.MaxFlushOutput);
            }
        }
    }

    [Fact]
    public void Process_WhenOutputTooSmall_ThenThrowsArgumentExceptionNamingTheBound()
    {
        var resampler = new PolyphaseResampler(16000, 48000);

        var error = Assert.Throws<ArgumentException>(() => resampler.Process(new float[1000], new float[100]));

        Assert.Contains("MaxOutputFor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_WhenCalledMidStream_ThenOutputMatchesAFreshInstance()
    {
        var input = Mixed(48000, 9000);
        var used = new PolyphaseResampler(48000, 16000);
        used.Process(Signals.Noise(777, seed: 5), new float[used.MaxOutputFor(777)]);

        used.Reset();

        Assert.Equal(RunInChunks(new PolyphaseResampler(48000, 16000), input, 512), RunInChunks(used, input, 512));
    }

    [Fact]
    public void Flush_WhenDone_ThenNextStreamStartsFromSilence()
    {
        var input = Mixed(22050, 5000);
        var resampler = new PolyphaseResampler(22050, 48000);

        var first = RunInChunks(resampler, input, 300);
        var second = RunInChunks(resampler, input, 300);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(0, 16000, 16, 0.945f)]
    [InlineData(16000, -1, 16, 0.945f)]
    [InlineData(16000, 48000, 0, 0.945f)]
    [InlineData(16000, 48000, 16, 0f)]
    [InlineData(16000, 48000, 16, 1.5f)]
    [InlineData(16000, 48000, 16, float.NaN)]
    public void Constructor_WhenArgumentsOutOfRange_ThenThrows(int inputRate, int outputRate, int zeroCrossings, float rolloff)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolyphaseResampler(inputRate, outputRate, zeroCrossings, rolloff));
    }

    [Fact]
    public void Constructor_WhenRatioNeedsTooManyPhases_ThenThrowsNamingTheRatio()
    {
        var error = Assert.Throws<ArgumentException>(() => new PolyphaseResampler(44100, 48001));

        Assert.Contains("48001/44100", error.Message, StringComparison.Ordinal);
    }

    private static float[] RunInChunks(PolyphaseResampler resampler, float[] input, int chunk)
    {
        var result = new List<float>();
        var output = new float[resampler.MaxOutputFor(chunk)];
        for (var start = 0; start < input.Length; start += chunk)
        {
            var piece = input.AsSpan(start, Math.Min(chunk, input.Length - start));
            result.AddRange(output.AsSpan(0, resampler.Process(piece, output)));
        }

        var tail = new float[resampler.MaxFlushOutput];
        result.AddRange(tail.AsSpan(0, resampler.Flush(tail)));
        return [.. result];
    }

    private static float[] Mixed(int rate, int count)
    {
        var tone = Signals.Tone(440, rate, count, amplitude: 0.3);
        var noise = Signals.Noise(count, seed: 17, amplitude: 0.2);
        for (var i = 0; i < count; i++)
        {
            tone[i] += noise[i];
        }

        return tone;
    }
}
