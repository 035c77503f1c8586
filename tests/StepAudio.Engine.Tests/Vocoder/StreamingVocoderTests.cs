using Microsoft.Extensions.Options;
using StepAudio.ContractModels.Vocoder;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tests.Vocoder.Fakes;
using StepAudio.Engine.Vocoder;
using Xunit;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Vocoder;

public sealed class StreamingVocoderTests(ContractVocoderDirectory models, ITestOutputHelper output) : IClassFixture<ContractVocoderDirectory>
{
    [Fact]
    public async Task SynthesizeAsync_WhenStreamed_ThenStaysCloseToTheWholeUtterance()
    {
        using var vocoder = Load();
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var ids = VocoderTestData.AudioIds(120, 7);

        var whole = session.SynthesizeAll(ids);
        var (streamed, boundaries) = await Collect(session, ids);

        Assert.Equal(vocoder.Profile.FramesForTokens(ids.Length) * vocoder.Profile.Hop, whole.Length);
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
        var spectral = LogSpectralDistance(whole, streamed, vocoder.Profile.Hop);
        output.WriteLine($"chunks {boundaries.Count}, samples {whole.Length}: max |diff| {maxDiff:F5}, mean |diff| {meanDiff:F6} (mean level {meanLevel:F4}), log-spectral distance {spectral:F4} dB");

        Assert.True(meanLevel > 0.02, "the stand-in produces an audible signal");
        Assert.True(meanDiff < 0.05 * meanLevel, $"mean |diff| {meanDiff} against level {meanLevel}");
        Assert.True(spectral < 1.0, $"log-spectral distance {spectral} dB");
    }

    [Fact]
    public async Task SynthesizeAsync_WhenChunksJoin_ThenNoBoundaryJumpsMoreThanTheSignalItself()
    {
        using var vocoder = Load();
        using var session = vocoder.StartSession(VocoderTestData.Prompt(vocoder));
        var ids = VocoderTestData.AudioIds(120, 11);
        var whole = session.SynthesizeAll(ids);
        var (pcm, boundaries) = await Collect(session, ids);

        var hop = vocoder.Profile.Hop;
        foreach (var boundary in boundaries[..^1])
        {
            // The signal's own variation around the join: the largest step in the frames either side.
            double local = 0;
            for (var i = boundary - (2 * hop); i < boundary + (2 * hop); i++)
            {
                if (i != boundary)
                {
                    local = Math.Max(local, Math.Abs(pcm[i] - pcm[i - 1]));
                }
            }

            var jump = Math.Abs(pcm[boundary] - pcm[boundary - 1]);
            var wholeJump = Math.Abs(whole[boundary] - whole[boundary - 1]);
            output.WriteLine($"boundary at {boundary}: jump {jump:F5} (whole-utterance {wholeJump:F5}), largest neighbouring step {local:F5}");
            Assert.True(jump <= local, $"click at sample {boundary}: jump {jump} above the neighbouring steps (max {local})");
            Assert.True(Math.Abs(jump - wholeJump) < 0.1 * local, $"the join at {boundary} differs from the whole-utterance signal there");
        }
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

    private StreamingVocoder Load(string? root = null) =>
        StreamingVocoder.Load(new VocoderOptions { ModelDirectory = root ?? models.Root, NoiseSeed = 1234 }, new OnnxSessionFactory());

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

    /// <summary>RMS difference in dB between frame log-spectra (a 2*hop DFT magnitude at 64 bins per frame).</summary>
    private static double LogSpectralDistance(float[] reference, float[] test, int hop)
    {
        const int bins = 64;
        var size = 2 * hop;
        double total = 0;
        var count = 0;
        for (var start = 0; start + size <= reference.Length; start += hop)
        {
            double frameSum = 0;
            for (var k = 1; k <= bins; k++)
            {
                var a = Magnitude(reference, start, size, k * 2);
                var b = Magnitude(test, start, size, k * 2);
                var diff = 20 * Math.Log10((a + 1e-4) / (b + 1e-4));
                frameSum += diff * diff;
            }

            total += Math.Sqrt(frameSum / bins);
            count++;
        }

        return total / Math.Max(count, 1);
    }

    private static double Magnitude(float[] signal, int start, int size, int k)
    {
        double re = 0, im = 0;
        for (var n = 0; n < size; n++)
        {
            var w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / size));
            var angle = 2 * Math.PI * k * n / size;
            re += w * signal[start + n] * Math.Cos(angle);
            im -= w * signal[start + n] * Math.Sin(angle);
        }

        return Math.Sqrt((re * re) + (im * im));
    }
}
