using Microsoft.Extensions.Options;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;
using Xunit;
using Xunit.Abstractions;
using StepAudio.TestSupport.Allocation;

namespace StepAudio.Engine.Tests.Vocoder;

/// <summary>The streaming plan (first chunk early, then growing chunks) as the profile sets it, and the warm chunk path's allocations.</summary>
public sealed class VocoderChunkPlanTests(ContractVocoderDirectory models, ITestOutputHelper output) : IClassFixture<ContractVocoderDirectory>
{
    [Fact]
    public void HopTokens_WhenChunksGrow_ThenFirstSecondThenDoublingUpToTheMax()
    {
        var chunking = new VocoderChunking(10, 40, 160, 20, 20, 5, 6);

        Assert.Equal([10, 40, 80, 160, 160, 160], Enumerable.Range(0, 6).Select(chunking.HopTokens));
        Assert.Equal([5, 20, 20], Enumerable.Range(0, 3).Select(chunking.LookAheadTokens));
        Assert.Equal([6, 20, 20], Enumerable.Range(0, 3).Select(chunking.HiftHoldFrames));
        Assert.Equal(15, chunking.TokensBeforeFirstChunk);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void TryRunChunk_WhenIdsArrive_ThenEachChunkRunsAsSoonAsItsTokensAndLookAheadAreThereWithThePlannedLength(string profileName)
    {
        using var vocoder = Load(profileName);
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var profile = vocoder.Profile;
        var chunking = vocoder.Chunking;
        var ids = VocoderTestData.AudioIds(150, 21);
        var totalSteps = FlowTokenMapper.MapAll(profile.TokenLayout, ids).Length / profile.TokenWidth;

        var (pcm, lengths, idsBefore) = SyncVocoding.Run(session, ids);

        // The plan from the chunking alone: chunk k needs hop_k + look-ahead_k tokens past its start, and
        // emits its frames plus what HiFT held back last time minus what it holds back now.
        var expectedLengths = new List<int>();
        var expectedIds = new List<int>();
        long a = 0;
        var held = 0;
        for (var k = 0; a + chunking.HopTokens(k) + chunking.LookAheadTokens(k) <= totalSteps; k++)
        {
            var b = a + chunking.HopTokens(k);
            expectedIds.Add(IdsForSteps(profile, (int)(b + chunking.LookAheadTokens(k))));
            var hold = chunking.HiftHoldFrames(k);
            expectedLengths.Add((profile.FramesForTokens((int)b) - profile.FramesForTokens((int)a) + held - hold) * profile.Hop);
            held = hold;
            a = b;
        }

        expectedLengths.Add((profile.FramesForTokens(totalSteps) - profile.FramesForTokens((int)a) + held) * profile.Hop);
        expectedIds.Add(ids.Length);
        output.WriteLine(
            $"{profileName}: first PCM after {idsBefore[0]} ids ({idsBefore[0] / profile.AudioIdRate * 1000:F0} ms of ids at {profile.AudioIdRate:F2} ids/s), " +
            $"{lengths[0]} samples ({lengths[0] * 1000.0 / profile.SampleRate:F0} ms); chunk samples {string.Join(", ", lengths)}");

        Assert.Equal(expectedLengths, lengths);
        Assert.Equal(expectedIds, idsBefore);
        Assert.Equal(IdsForSteps(profile, chunking.TokensBeforeFirstChunk), idsBefore[0]);
        Assert.Equal(profile.FramesForTokens(totalSteps) * profile.Hop, pcm.Length);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void TryRunChunk_WhenWarm_ThenAllocatesNothingPerChunk(string profileName)
    {
        using var vocoder = Load(profileName);
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        // Every shape of the plan seen, and the code past its first calls (tiered compilation).
        SyncVocoding.Run(session, VocoderTestData.AudioIds(300, 1));
        SyncVocoding.Run(session, VocoderTestData.AudioIds(300, 3));
        var ids = VocoderTestData.AudioIds(200, 2);

        session.Begin();
        long allocated = 0;
        var chunks = 0;
        foreach (var id in ids)
        {
            var window = AllocationMeter.Open();
            var ran = 0;
            session.Append(id);
            while (session.TryRunChunk(out _))
            {
                ran++;
            }

            allocated += window.Close();
            chunks += ran;
        }

        session.Finish();
        output.WriteLine($"{profileName}: {chunks} warm chunks, {allocated} bytes allocated ({(double)allocated / chunks:F1} per chunk)");
        Assert.True(chunks >= 5, $"only {chunks} chunks");
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void Finish_WhenUtterancesOfASeenLengthRepeat_ThenWholeUtterancesAllocateNothing(string profileName)
    {
        using var vocoder = Load(profileName);
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var warm = VocoderTestData.AudioIds(80, 5);
        var other = VocoderTestData.AudioIds(80, 6);
        SyncVocoding.Run(session, warm);
        SyncVocoding.Run(session, warm);

        var samples = 0;
        var allocated = AllocationMeter.Measure(() =>
        {
            for (var utterance = 0; utterance < 5; utterance++)
            {
                // Other ids of the same length: the same chunk shapes, the final one included.
                var ids = utterance % 2 == 0 ? warm : other;
                session.Begin();
                foreach (var id in ids)
                {
                    session.Append(id);
                    while (session.TryRunChunk(out var pcm))
                    {
                        samples += pcm.Length;
                    }
                }

                samples += session.Finish().Length;
            }
        });

        output.WriteLine($"{profileName}: 5 utterances, {samples} samples, {allocated} bytes allocated");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Load_WhenOptionsSetTheFirstChunk_ThenTheyOverrideTheProfile()
    {
        using var vocoder = StreamingVocoder.Load(
            new VocoderOptions { ModelDirectory = models.Root, NoiseSeed = 1, FirstChunkTokens = 20, FirstLookAheadTokens = 0, FirstHiftCacheFrames = 10 },
            new OnnxSessionFactory());
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));

        var (_, lengths, idsBefore) = SyncVocoding.Run(session, VocoderTestData.AudioIds(40, 4));

        Assert.Equal(20, idsBefore[0]);
        Assert.Equal((vocoder.Profile.FramesForTokens(20) - 10) * vocoder.Profile.Hop, lengths[0]);
    }

    [Theory]
    [InlineData(21, null, "FirstLookAheadTokens (21)")]
    [InlineData(null, 21, "FirstHiftCacheFrames (21)")]
    public void Load_WhenFirstChunkSettingsExceedTheirBounds_ThenOptionsValidationNamesThem(int? lookAhead, int? hiftFrames, string expected)
    {
        var options = new VocoderOptions { ModelDirectory = models.Root, FirstLookAheadTokens = lookAhead, FirstHiftCacheFrames = hiftFrames };

        var error = Assert.Throws<OptionsValidationException>(() => StreamingVocoder.Load(options, new OnnxSessionFactory()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenHiftWouldHoldTheWholeFirstChunk_ThenOptionsValidationExplains()
    {
        // 5 tokens are 10 mel frames at v1's rates; holding 10 back would leave the first chunk silent.
        var options = new VocoderOptions { ModelDirectory = models.Root, FirstChunkTokens = 5, FirstHiftCacheFrames = 10 };

        var error = Assert.Throws<OptionsValidationException>(() => StreamingVocoder.Load(options, new OnnxSessionFactory()));

        Assert.Contains("must be more than FirstHiftCacheFrames (10)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SynthesizeAll_WhenV2PromptMelHasItsOwnLength_ThenItIsResizedNearestToTwoFramesPerPromptToken()
    {
        using var vocoder = Load("v2");
        var aligned = VocoderTestData.Prompt(vocoder);
        var promptSteps = aligned.FlowTokens.Length / 2;
        var bins = vocoder.Profile.MelBins;
        const int recordedFrames = 37;
        var recorded = new float[recordedFrames * bins];
        for (var i = 0; i < recorded.Length; i++)
        {
            recorded[i] = -6f + MathF.Sin(i * 0.013f);
        }

        // Step-Audio-EditX: F.interpolate(prompt_feat, size=2 * prompt tokens, mode='nearest'): frame i takes floor(i * 37 / (2 * steps)).
        var resized = new float[2 * promptSteps * bins];
        for (var i = 0; i < 2 * promptSteps; i++)
        {
            recorded.AsSpan(i * recordedFrames / (2 * promptSteps) * bins, bins).CopyTo(resized.AsSpan(i * bins, bins));
        }

        var ids = VocoderTestData.AudioIds(20, 8);
        using var fromRecorded = vocoder.StartSession(aligned with { Mel = recorded, MelFrames = recordedFrames });
        using var fromResized = vocoder.StartSession(aligned with { Mel = resized, MelFrames = 2 * promptSteps });
        using var fromOther = vocoder.StartSession(aligned);

        var expected = fromResized.SynthesizeAll(ids);
        var actual = fromRecorded.SynthesizeAll(ids);
        var other = fromOther.SynthesizeAll(ids);

        // Equal up to float rounding (ONNX Runtime's kernels may sum in another order over other buffers).
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(Enumerable.Range(0, expected.Length), i => Assert.Equal(expected[i], actual[i], 1e-5f));
        var promptEffect = expected.Zip(other, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(promptEffect > 1e-3, $"the prompt mel should reach the output; largest difference {promptEffect}");
    }

    [Fact]
    public void Append_WhenNoUtteranceBegun_ThenInvalidOperationSaysToCallBegin()
    {
        using var vocoder = Load("v1");
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));

        var error = Assert.Throws<InvalidOperationException>(() => session.Append(3));

        Assert.Contains("Begin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenCudaAskedOnACpuOnlyRuntime_ThenEachModelFallsBackAndTheProviderIsLogged()
    {
        var logger = new RecordingLogger<StreamingVocoder>();
        var inference = new InferenceOptions { Provider = ExecutionTarget.Cuda };

        using var vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = models.Root, Inference = inference }, new OnnxSessionFactory(), logger);

        Assert.Equal(6, vocoder.ModelProviders.Count);
        Assert.All(vocoder.ModelProviders.Values, provider => Assert.Equal(ExecutionTarget.Cpu, provider));
        var lines = logger.Lines.Where(line => line.StartsWith("Vocoder model ", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, lines.Count);
        Assert.Contains(lines, line => line.Contains("flow_estimator.onnx: asked for Cuda, runs on Cpu", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("fallback: none", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WhenTheVocoderRunsOnTheCpu_ThenItsMeasuredRealTimeFactorIsLogged()
    {
        var logger = new RecordingLogger<StreamingVocoder>();

        using var vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = models.Root }, new OnnxSessionFactory(), logger);

        // 1505 (a warning) when slower than real time, 1506 otherwise: either way once, with the figure.
        var line = Assert.Single(logger.Lines, l => l.StartsWith("Vocoder profile v1 runs on the CPU", StringComparison.Ordinal));
        Assert.Matches(@"real-time factor \d+\.\d\d", line);
    }

    [Fact]
    public void Load_WhenWarmUpIsOff_ThenNoRealTimeFactorIsClaimed()
    {
        var logger = new RecordingLogger<StreamingVocoder>();
        var inference = new InferenceOptions { WarmUp = false };

        using var vocoder = StreamingVocoder.Load(new VocoderOptions { ModelDirectory = models.Root, Inference = inference }, new OnnxSessionFactory(), logger);

        Assert.DoesNotContain(logger.Lines, l => l.Contains("real-time factor", StringComparison.Ordinal));
    }

    private static int IdsForSteps(VocoderProfile profile, int steps) =>
        profile.TokenLayout == FlowTokenLayout.Interleaved ? steps : 5 * (int)Math.Ceiling(steps / 3.0);

    private StreamingVocoder Load(string profile) =>
        StreamingVocoder.Load(new VocoderOptions { ModelDirectory = models.Root, Profile = profile, NoiseSeed = 1234 }, new OnnxSessionFactory());
}
