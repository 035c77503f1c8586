using Microsoft.Extensions.Options;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Vocoder.Flow;
using Xunit;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class StreamingVocoderTests(ContractVocoderDirectory models, ITestOutputHelper output) : IClassFixture<ContractVocoderDirectory>
{
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task SynthesizeAsync_WhenStreamed_ThenStaysCloseToTheWholeUtterance(string profile)
    {
        using var vocoder = Load(profile: profile);
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var ids = VocoderTestData.AudioIds(120, 7);

        var whole = session.SynthesizeAll(ids);
        var (streamed, boundaries) = await Collect(session, ids);

        var steps = FlowTokenMapper.MapAll(vocoder.Profile.TokenLayout, ids).Length / vocoder.Profile.TokenWidth;
        Assert.Equal(vocoder.Profile.FramesForTokens(steps) * vocoder.Profile.Hop, whole.Length);
        Assert.Equal(whole.Length, streamed.Length);
        Assert.True(boundaries.Count >= 4, $"expected several chunks, got {boundaries.Count}");
        double maxDiff = 0, sumDiff = 0, sumLevel = 0;
        for (var i = 0; i < whole.Length; i++)
        {
            var diff = Math.Abs(whole[i] - streamed[i]);
            maxDiff = Math.Max(maxDiff, diff);
            sumDiff += diff;
            sumLevel += Math.Abs(whole[i]);
        }

        var meanDiff = sumDiff / whole.Length;
        var meanLevel = sumLevel / whole.Length;
        var logMel = AudioComparison.LogMelDistanceDb(whole, streamed, vocoder.SampleRate, vocoder.Profile.Hop);
        output.WriteLine(
            $"{profile} ({vocoder.SampleRate} Hz): chunks {boundaries.Count}, samples {whole.Length}: max |diff| {maxDiff:F5}, " +
            $"mean |diff| {meanDiff:F6} (mean level {meanLevel:F4}), log-mel distance {logMel:F4} dB");

        Assert.True(meanLevel > 0.02, "the stand-in produces an audible signal");
        Assert.True(meanDiff < 0.02 * meanLevel, $"mean |diff| {meanDiff} against level {meanLevel}");
        Assert.True(logMel < 0.5, $"log-mel distance {logMel} dB");
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task SynthesizeAsync_WhenChunksJoin_ThenNoBoundaryJumpsMoreThanTheSignalItself(string profile)
    {
        using var vocoder = Load(profile: profile);
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var ids = VocoderTestData.AudioIds(120, 11);
        var whole = session.SynthesizeAll(ids);
        var (pcm, boundaries) = await Collect(session, ids);

        var hop = vocoder.Profile.Hop;
        var joins = boundaries[..^1];
        double worstExcess = 0;
        foreach (var boundary in joins)
        {
            var local = AudioComparison.LocalStep(pcm, boundary, hop);
            var jump = Math.Abs(pcm[boundary] - pcm[boundary - 1]);
            var wholeJump = Math.Abs(whole[boundary] - whole[boundary - 1]);
            output.WriteLine($"{profile} boundary at {boundary}: jump {jump:F5} (whole-utterance {wholeJump:F5}), largest neighbouring step {local:F5}");
            Assert.True(jump <= local, $"click at sample {boundary}: jump {jump} above the neighbouring steps (max {local})");
            Assert.True(Math.Abs(jump - wholeJump) < 0.1 * local, $"the join at {boundary} differs from the whole-utterance signal there");
            worstExcess = Math.Max(worstExcess, Math.Abs(jump - wholeJump) / local);
        }

        output.WriteLine(
            $"{profile}: worst boundary ratio (jump / largest neighbouring step) {AudioComparison.WorstBoundaryRatio(pcm, joins, hop):F4}, " +
            $"worst |jump - whole-utterance jump| / neighbouring step {worstExcess:F4}, over {joins.Count} joins");
    }

    [Fact]
    public async Task SynthesizeAsync_WhenAnyOutput_ThenClampedAndSameSeedGivesSameAudio()
    {
        using var vocoder = Load();
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var ids = VocoderTestData.AudioIds(40, 3);

        var (first, _) = await Collect(session, ids);
        var (second, _) = await Collect(session, ids);

        Assert.Equal(first, second);
        Assert.All(first, sample => Assert.InRange(sample, -0.99f, 0.99f));
    }

    [Fact]
    public async Task SynthesizeAsync_WhenCancelledMidStream_ThenStopsWithCancellation()
    {
        using var vocoder = Load();
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        using var cancellation = new CancellationTokenSource();
        var chunks = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in session.SynthesizeAsync(Endless(cancellation.Token), cancellation.Token))
            {
                chunks++;
                await cancellation.CancelAsync();
            }
        });

        Assert.Equal(1, chunks);
    }

    [Fact]
    public void SynthesizeAll_WhenIdOutOfRange_ThenInvalidDataNamingTheId()
    {
        using var vocoder = Load();
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));

        var error = Assert.Throws<InvalidDataException>(() => session.SynthesizeAll([1, 2, 9000]));

        Assert.Contains("9000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbedSpeaker_WhenFbankShiftedByAConstant_ThenSameEmbeddingBecauseTheMeanIsRemoved()
    {
        using var vocoder = Load();
        var fbank = Enumerable.Range(0, 50 * 80).Select(i => MathF.Cos(i * 0.11f)).ToArray();

        var plain = vocoder.EmbedSpeaker(fbank, 50);
        var shifted = vocoder.EmbedSpeaker(fbank.Select(v => v + 4f).ToArray(), 50);

        Assert.Equal(192, plain.Length);
        for (var i = 0; i < plain.Length; i++)
        {
            Assert.Equal(plain[i], shifted[i], 1e-4f);
        }
    }

    [Fact]
    public void StartSession_WhenPromptMelHasWrongLength_ThenArgumentErrorNamingIt()
    {
        using var vocoder = Load();
        var prompt = VocoderTestData.Prompt(vocoder);

        var error = Assert.Throws<ArgumentException>(() => vocoder.StartSession(prompt with { MelFrames = prompt.MelFrames + 1 }));

        Assert.Contains("Prompt mel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenHiftHasWrongMelBins_ThenContractErrorNamesTheModel()
    {
        using var copy = new ContractVocoderDirectory();
        File.WriteAllBytes(Path.Combine(copy.ProfileDirectory, "hift.onnx"), VocoderContractModels.BuildHift(64, 256));

        var error = Assert.Throws<ModelContractException>(() => Load(copy.Root));

        Assert.Contains("HiFT", error.Message, StringComparison.Ordinal);
        Assert.Contains("mel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenHiftHopDiffersFromProfile_ThenWarmUpFailsWithContractError()
    {
        using var copy = new ContractVocoderDirectory();
        File.WriteAllBytes(Path.Combine(copy.ProfileDirectory, "hift.onnx"), VocoderContractModels.BuildHift(80, 300));

        var error = Assert.Throws<ModelContractException>(() => Load(copy.Root));

        Assert.Contains("hift.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenVocoderJsonMalformed_ThenConfigErrorNamesTheField()
    {
        using var copy = new ContractVocoderDirectory();
        var path = Path.Combine(copy.ProfileDirectory, "vocoder.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"flowSteps\": 10", "\"flowSteps\": 0", StringComparison.Ordinal));

        var error = Assert.Throws<VocoderConfigException>(() => Load(copy.Root));

        Assert.Contains("'flowSteps' is 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenChunkSmallerThanOverlap_ThenOptionsValidationError()
    {
        var options = new VocoderOptions { ModelDirectory = models.Root, ChunkTokens = 5, OverlapTokens = 20 };

        var error = Assert.Throws<OptionsValidationException>(() => StreamingVocoder.Load(options, new OnnxSessionFactory()));

        Assert.Contains("OverlapTokens", error.Message, StringComparison.Ordinal);
    }

    private StreamingVocoder Load(string? root = null, string profile = "v1") =>
        StreamingVocoder.Load(new VocoderOptions { ModelDirectory = root ?? models.Root, Profile = profile, NoiseSeed = 1234 }, new OnnxSessionFactory());

    private static async Task<(float[] Pcm, List<int> Boundaries)> Collect(VocoderSession session, int[] ids)
    {
        var pcm = new List<float>();
        var boundaries = new List<int>();
        await foreach (var chunk in session.SynthesizeAsync(VocoderTestData.Stream(ids), CancellationToken.None))
        {
            pcm.AddRange(chunk.ToArray());
            boundaries.Add(pcm.Count);
        }

        return ([.. pcm], boundaries);
    }

    private static async IAsyncEnumerable<int> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var ids = VocoderTestData.AudioIds(1000, 5);
        for (var i = 0; ; i = (i + 1) % ids.Length)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return ids[i];
        }
    }
}
