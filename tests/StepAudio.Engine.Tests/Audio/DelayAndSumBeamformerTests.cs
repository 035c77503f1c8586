using System.Numerics;
using StepAudio.Engine.Audio;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Audio;

public sealed class DelayAndSumBeamformerTests(ITestOutputHelper output)
{
    private const int Rate = 16_000;
    private const float Spacing = 0.035f;
    private const float SpeedOfSound = 343f;

    /// <summary>A 4-microphone linear array along x, 3.5 cm apart.</summary>
    private static readonly Vector3[] Linear4 = [new(0, 0, 0), new(Spacing, 0, 0), new(2 * Spacing, 0, 0), new(3 * Spacing, 0, 0)];

    [Theory]
    [InlineData(0f)]
    [InlineData(60f)]
    [InlineData(90f)]
    [InlineData(180f)]
    public void SteeringDelays_ForALinearArray_AreTheProjectedSpacingOverTheSpeedOfSound(float azimuth)
    {
        var beam = new DelayAndSumBeamformer(Rate, Linear4, azimuth, speedOfSound: SpeedOfSound);

        // A wave from azimuth a reaches mic m earlier by m d cos(a) / c; the last one reached waits for none.
        var leads = Enumerable.Range(0, 4).Select(m => m * Spacing * Math.Cos(azimuth * Math.PI / 180) / SpeedOfSound).ToArray();
        var expected = leads.Select(l => l - leads.Min()).ToArray();
        for (var m = 0; m < 4; m++)
        {
            Assert.Equal(expected[m], beam.SteeringDelaysSeconds[m], 1e-9);
        }
    }

    [Fact]
    public void PlaneWave_FromAKnownDirection_ReachesEachMicrophoneLaterByItsSteeringDelay()
    {
        // The simulation the other tests rely on: mic m hears the source s(t + lead_m), so after delaying each by the
        // beam's steering delay every channel carries the same signal.
        var beam = new DelayAndSumBeamformer(Rate, Linear4, 30f, speedOfSound: SpeedOfSound);
        var direction = Direction(30f);
        for (var m = 0; m < 4; m++)
        {
            var lead = Vector3.Dot(Linear4[m], direction) / (double)SpeedOfSound;
            var aligned = lead - beam.SteeringDelaysSeconds[m];
            var reference = Vector3.Dot(Linear4[0], direction) / (double)SpeedOfSound - beam.SteeringDelaysSeconds[0];
            Assert.Equal(reference, aligned, 1e-9);
        }

        var wave = PlaneWave(Linear4, 30f, 1000, 64);
        Assert.Equal(Source(1000, 5, Vector3.Dot(Linear4[3], direction) / SpeedOfSound), wave[(5 * 4) + 3], 1e-5f);
    }

    [Theory]
    [InlineData(1000, 0f)]
    [InlineData(3000, 0f)]
    [InlineData(3000, 30f)]
    [InlineData(3000, 135f)]
    public void Process_WhenSteeredAtThePlaneWave_KeepsItsLevelWithinHalfADecibel(int frequency, float azimuth)
    {
        var beam = new DelayAndSumBeamformer(Rate, Linear4, azimuth, speedOfSound: SpeedOfSound);
        var frames = Rate / 2;
        var input = PlaneWave(Linear4, azimuth, frequency, frames);
        var mono = new float[frames];

        beam.Process(input, mono);

        var settled = mono.AsSpan(beam.LatencyFrames + 64);
        var gainDb = 20 * Math.Log10(Rms(settled) / (0.5 / Math.Sqrt(2)));
        output.WriteLine($"{frequency} Hz from {azimuth} deg, steered there: {gainDb:F3} dB");
        Assert.InRange(gainDb, -0.5, 0.5);
    }

    [Theory]
    [InlineData(90f)]
    [InlineData(180f)]
    public void Process_WhenSteeredAwayFromA3kHzTone_AttenuatesItAsTheArrayFactorSays(float steering)
    {
        const int frequency = 3000;
        var beam = new DelayAndSumBeamformer(Rate, Linear4, steering, speedOfSound: SpeedOfSound);
        var frames = Rate / 2;
        var input = PlaneWave(Linear4, 0f, frequency, frames);
        var mono = new float[frames];

        beam.Process(input, mono);

        var gainDb = 20 * Math.Log10(Rms(mono.AsSpan(beam.LatencyFrames + 64)) / (0.5 / Math.Sqrt(2)));

        // Array factor of a uniform line: |sin(N phi / 2) / (N sin(phi / 2))| with phi the per-mic phase mismatch.
        var phi = 2 * Math.PI * frequency * Spacing * (Math.Cos(0) - Math.Cos(steering * Math.PI / 180)) / SpeedOfSound;
        var theoryDb = 20 * Math.Log10(Math.Abs(Math.Sin(2 * phi) / (4 * Math.Sin(phi / 2))));
        output.WriteLine($"3 kHz from 0 deg, steered to {steering} deg: {gainDb:F2} dB (array factor {theoryDb:F2} dB)");
        Assert.True(gainDb < -6, $"only {gainDb:F2} dB");
        Assert.InRange(gainDb, theoryDb - 1, theoryDb + 1);
    }

    [Fact]
    public void Process_SplitAcrossCalls_MatchesOneCallAndAllocatesNothing()
    {
        var input = PlaneWave(Linear4, 20f, 1500, 3000);
        var whole = new float[3000];
        new DelayAndSumBeamformer(Rate, Linear4, 75f).Process(input, whole);
        var beam = new DelayAndSumBeamformer(Rate, Linear4, 75f);
        var pieces = new float[3000];
        beam.Process(input.AsSpan(0, 4 * 7), pieces); // warm up

        int[] sizes = [160, 1, 2048, 333];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var done = 7;
        foreach (var size in sizes)
        {
            beam.Process(input.AsSpan(4 * done, 4 * size), pieces.AsSpan(done));
            done += size;
        }

        beam.Process(input.AsSpan(4 * done), pieces.AsSpan(done));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(whole, pieces);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Constructor_WithNoMicrophones_ThrowsSayingSo()
    {
        var error = Assert.Throws<ArgumentException>(() => new DelayAndSumBeamformer(Rate, [], 0f));

        Assert.Contains("at least one microphone", error.Message, StringComparison.Ordinal);
    }

    internal static float[] PlaneWave(Vector3[] positions, float azimuthDegrees, double frequency, int frames)
    {
        var direction = Direction(azimuthDegrees);
        var wave = new float[frames * positions.Length];
        for (var m = 0; m < positions.Length; m++)
        {
            var lead = Vector3.Dot(positions[m], direction) / (double)SpeedOfSound;
            for (var n = 0; n < frames; n++)
            {
                wave[(n * positions.Length) + m] = Source(frequency, n, lead);
            }
        }

        return wave;
    }

    private static float Source(double frequency, int n, double lead) => (float)(0.5 * Math.Sin(2 * Math.PI * frequency * ((n / (double)Rate) + lead)));

    private static Vector3 Direction(float azimuthDegrees)
    {
        var a = azimuthDegrees * MathF.PI / 180f;
        return new Vector3(MathF.Cos(a), MathF.Sin(a), 0);
    }

    private static double Rms(ReadOnlySpan<float> x)
    {
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += v * (double)v;
        }

        return Math.Sqrt(sum / x.Length);
    }
}
