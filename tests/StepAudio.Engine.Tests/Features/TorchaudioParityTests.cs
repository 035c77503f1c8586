using StepAudio.Engine.Features;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Features;

/// <summary>
/// The front-ends against torchaudio on real speech (fixtures written by
/// tests/reference/make_feature_fixtures.py): Kaldi fbank within 1e-3 in the log domain, Whisper
/// log-mel within 1e-4, LFR against the numpy reference. Each case prints its max abs error.
/// </summary>
public sealed class TorchaudioParityTests(ITestOutputHelper output)
{
    private const double FbankTolerance = 1e-3;
    private const double LogMelTolerance = 1e-4;

    public static TheoryData<string> Clips() => new(TorchaudioFixtures.ClipNames());

    public static TheoryData<string> LfrClips() => new(TorchaudioFixtures.LfrClipNames());

    [Theory]
    [MemberData(nameof(Clips))]
    public void KaldiFbank_WhenComparedWithTorchaudio_ThenWithinTolerance(string name)
    {
        var clip = TorchaudioFixtures.Load(name);
        var fbank = new KaldiFbank();

        var frames = fbank.ComputeAll(clip.Samples);

        Assert.Equal(clip.Fbank.TotalFrames, frames.Length / fbank.MelBins);
        Assert.Equal(fbank.MelBins, clip.Fbank.Columns);
        var error = MaxError(clip.Fbank, frame => frames.AsSpan(frame * fbank.MelBins, fbank.MelBins));
        output.WriteLine($"{name}: fbank max abs error {error.Max:E2} (frame {error.Frame}) over {clip.Fbank.Rows} of {clip.Fbank.TotalFrames} frames; {clip.Source}");
        Assert.True(error.Max <= FbankTolerance, $"{name}: fbank max abs error {error.Max:E3} at frame {error.Frame} exceeds {FbankTolerance:E0}");
    }

    [Theory]
    [MemberData(nameof(Clips))]
    public void WhisperLogMel_WhenComparedWithTorchaudio_ThenWithinTolerance(string name)
    {
        var clip = TorchaudioFixtures.Load(name);

        var (features, segments) = SegmentedLogMel(clip.Samples);

        Assert.Equal(clip.LogMelSegments.Select(s => (s[0], s[1])), segments);
        var frames = features.Length / WhisperLogMelAccumulator.MelBins;
        Assert.Equal(clip.LogMel.TotalFrames, frames);
        var error = MaxError(clip.LogMel, frame => features.AsSpan(frame * WhisperLogMelAccumulator.MelBins, WhisperLogMelAccumulator.MelBins));
        output.WriteLine($"{name}: log-mel max abs error {error.Max:E2} (frame {error.Frame}) over {clip.LogMel.Rows} of {frames} frames in {segments.Count} segment(s)");
        Assert.True(error.Max <= LogMelTolerance, $"{name}: log-mel max abs error {error.Max:E3} at frame {error.Frame} exceeds {LogMelTolerance:E0}");
    }

    [Theory]
    [MemberData(nameof(LfrClips))]
    public void LowFrameRate_WhenComparedWithNumpyReference_ThenSameRows(string name)
    {
        var clip = TorchaudioFixtures.Load(name);
        var lfr = clip.Lfr!;
        var fbank = new KaldiFbank();
        var frames = fbank.ComputeAll(clip.Samples);
        var stacker = new LowFrameRate();
        var inputFrames = frames.Length / fbank.MelBins;
        var rows = new float[(stacker.OutputCountFor(inputFrames) + 1) * stacker.OutputDimension];

        var written = stacker.Accept(frames, rows);
        written += stacker.Finish(rows.AsSpan(written * stacker.OutputDimension));

        Assert.Equal(lfr.Rows, written);
        Assert.Equal(stacker.OutputCountFor(inputFrames), written);
        Assert.Equal(stacker.OutputDimension, lfr.Columns);
        var error = MaxError(lfr, row => rows.AsSpan(row * stacker.OutputDimension, stacker.OutputDimension));
        output.WriteLine($"{name}: LFR max abs error {error.Max:E2} over {written} rows from {inputFrames} frames");
        Assert.True(error.Max <= FbankTolerance, $"{name}: LFR max abs error {error.Max:E3} at row {error.Frame} exceeds {FbankTolerance:E0}");
    }

    [Fact]
    public void Fixtures_WhenLoaded_ThenHeaderNamesTheGeneratingCommand()
    {
        Assert.StartsWith("/usr/bin/python3 tests/reference/make_feature_fixtures.py --out ", TorchaudioFixtures.Command, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(TorchaudioFixtures.Directory, "../../reference/make_feature_fixtures.py")), "the generating script sits in tests/reference");
        Assert.True(TorchaudioFixtures.ClipNames().Count() >= 20, "the fixtures cover the Debian speech samples");
    }

    /// <summary>The vq06 reference's segmentation: 30 s pieces, pieces under 480 samples dropped, features concatenated along time.</summary>
    private static (float[] Features, List<(int Start, int Length)> Segments) SegmentedLogMel(float[] samples)
    {
        var rows = new List<float>();
        var segments = new List<(int, int)>();
        for (var start = 0; start < samples.Length; start += WhisperLogMelAccumulator.MaxSegmentSamples)
        {
            var length = Math.Min(WhisperLogMelAccumulator.MaxSegmentSamples, samples.Length - start);
            if (length < WhisperLogMelAccumulator.MinSegmentSamples)
            {
                continue;
            }

            var melMajor = WhisperLogMelAccumulator.Compute(samples.AsSpan(start, length), out var frames);
            for (var t = 0; t < frames; t++)
            {
                for (var m = 0; m < WhisperLogMelAccumulator.MelBins; m++)
                {
                    rows.Add(melMajor[(m * frames) + t]);
                }
            }

            segments.Add((start, length));
        }

        return (rows.ToArray(), segments);
    }

    private delegate ReadOnlySpan<float> FrameSource(int frame);

    private static (double Max, int Frame) MaxError(ReferenceMatrix reference, FrameSource actual)
    {
        var max = 0.0;
        var worst = -1;
        for (var row = 0; row < reference.Rows; row++)
        {
            var frame = reference.Kept[row];
            var expected = reference.Row(row);
            var values = actual(frame);
            for (var i = 0; i < expected.Length; i++)
            {
                var error = Math.Abs((double)expected[i] - values[i]);
                if (!(error <= max))
                {
                    max = error;
                    worst = frame;
                }
            }
        }

        return (max, worst);
    }
}
