using System.Text.Json;
using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using Xunit;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Parity;

/// <summary>The exported model set, loaded once for all the pipeline parity tests.</summary>
public sealed class ExportedPipeline : IDisposable
{
    public ExportedPipeline()
    {
        var factory = new OnnxSessionFactory();
        Tokenizer = DualCodebookTokenizer.Load(new TokenizerOptions { ModelDirectory = ExportedModels.Directory }, factory);
        using var index = ExportedModels.Json("pipeline.json");
        Index = index.RootElement.Clone();
        Vocoder = StreamingVocoder.Load(
            new VocoderOptions { ModelDirectory = ExportedModels.Directory, NoiseSeed = Index.GetProperty("flow").GetProperty("noise_seed").GetInt64() },
            factory);
    }

    public DualCodebookTokenizer Tokenizer { get; }

    public StreamingVocoder Vocoder { get; }

    public JsonElement Index { get; }

    public void Dispose()
    {
        Tokenizer.Dispose();
        Vocoder.Dispose();
    }
}

/// <summary>
/// The device's pipeline against torch eager fp32 over the exported models (engine/models/export/pipeline_reference.py):
/// the same clips through the device's front-ends, caches and chunking must give Step-Audio's tokens, prompt and
/// voice. Ids are compared exactly wherever the reference's nearest-centroid margin is not a near-tie; any flip is
/// reported by position and margin.
/// </summary>
[Collection(ParityGroup.Name)]
public sealed class PipelineParityTests(ExportedPipeline pipeline, ITestOutputHelper output) : IClassFixture<ExportedPipeline>
{
    // A margin (second-nearest minus nearest distance) below this is a tie that float rounding may break either way:
    // encoder outputs within 1e-4 per value move a 512-d distance by up to about 2e-3.
    private const double NearTie = 5e-3;

    public static TheoryData<string> Clips()
    {
        var data = new TheoryData<string>();
        try
        {
            using var index = ExportedModels.Json("pipeline.json");
            foreach (var clip in index.RootElement.GetProperty("clips").EnumerateArray())
            {
                data.Add(clip.GetProperty("name").GetString()!);
            }
        }
        catch (InvalidOperationException)
        {
            data.Add("(no export)");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Clips))]
    public async Task Tokens_WhenAClipIsTokenized_ThenIdsTokenStringAndLlmIdsAreTheReferences(string name)
    {
        var clip = Clip(name);
        var samples = Npy(clip, "samples").AsFloats();

        var tokens = await pipeline.Tokenizer.TokenizeAsync(samples, CancellationToken.None);

        var vq02Flips = CompareIds("vq02", tokens.Vq02.ToArray(), Npy(clip, "vq02").AsInts(), Npy(clip, "vq02_margin").AsFloats());
        var vq06Flips = CompareIds("vq06", tokens.Vq06.ToArray(), Npy(clip, "vq06").AsInts(), Npy(clip, "vq06_margin").AsFloats());
        var llm = Npy(clip, "llm_ids").AsInts();
        output.WriteLine($"{name}: {samples.Length} samples ({samples.Length % 3840} after the last whole piece): vq02 {tokens.Vq02.Length}, vq06 {tokens.Vq06.Length}, {llm.Length} LLM ids; near-tie flips vq02 {vq02Flips}, vq06 {vq06Flips}");
        Assert.Equal(llm.Length, tokens.ToLlmIds().Length);
        if (vq02Flips + vq06Flips == 0)
        {
            Assert.Equal(llm, tokens.ToLlmIds());
            Assert.Equal(clip.GetProperty("token_string").GetString(), tokens.ToTokenString());
        }
    }

    [Fact]
    public void Vq02_WhenTheClipIsEncodedPieceByPiece_ThenFeaturesAndEncoderOutAreTheReferences()
    {
        var clip = Clip("r0400");
        var samples = Npy(clip, "samples").AsFloats();
        var expectedFeatures = Npy(clip, "features").AsFloats();
        var expected = Npy(clip, "encoder_out");
        var normalised = new float[samples.Length];
        AudioConditioner.PeakNormalise(samples, normalised);
        var tokenizer = pipeline.Tokenizer;
        var features = new Vq02FeaturePipeline(tokenizer.Cmvn);
        var frames = new float[Vq02FeaturePipeline.MaxFramesPerPiece * Vq02Encoder.InputDim];
        var rows = new float[Vq02Encoder.MaxChunkFrames * Vq02Encoder.OutputDim];
        var ownFeatures = new List<float>();
        var chunkFrames = new List<int>();
        var pieces = (samples.Length / Vq02FeaturePipeline.PieceSamples) + 1;
        for (var p = 0; p < pieces; p++)
        {
            var start = p * Vq02FeaturePipeline.PieceSamples;
            var length = Math.Min(Vq02FeaturePipeline.PieceSamples, samples.Length - start);
            var count = features.ProcessPiece(normalised.AsSpan(start, length), p == pieces - 1, frames);
            if (count > 0)
            {
                ownFeatures.AddRange(frames.AsSpan(0, count * Vq02Encoder.InputDim).ToArray());
                chunkFrames.Add(count);
            }
        }

        Assert.Equal(clip.GetProperty("chunk_frames").EnumerateArray().Select(e => e.GetInt32()), chunkFrames);
        var featureError = MaxAbs(ownFeatures.ToArray(), expectedFeatures);

        // The encoder path alone (caches, left context, positions), on the reference's features; then end to end.
        var fromReference = Encode(expectedFeatures, chunkFrames);
        var fromOwn = Encode(ownFeatures.ToArray(), chunkFrames);
        var error = MaxAbs(fromReference, expected.AsFloats());
        var endToEnd = MaxAbs(fromOwn, expected.AsFloats());
        output.WriteLine($"vq02 over {expected.Shape[0]} rows in {chunkFrames.Count} chunks: LFR+CMVN features max abs error {featureError:E2}; encoder_out max abs error {error:E2} on the reference's features (limit 1e-4), {endToEnd:E2} end to end");
        Assert.True(error <= 1e-4, $"vq02 encoder_out max abs error {error:E3} on the reference's features");
        Assert.True(endToEnd <= 1e-4, $"vq02 encoder_out max abs error {endToEnd:E3} from the device's own front-end");

        float[] Encode(float[] input, List<int> chunks)
        {
            var state = tokenizer.Encoder.CreateState();
            var result = new List<float>();
            var offset = 0;
            foreach (var count in chunks)
            {
                tokenizer.Encoder.Run(input.AsSpan(offset * Vq02Encoder.InputDim, count * Vq02Encoder.InputDim), count, state, rows);
                result.AddRange(rows.AsSpan(0, count * Vq02Encoder.OutputDim).ToArray());
                offset += count;
            }

            return result.ToArray();
        }
    }

    [Fact]
    public async Task SpeakerPrompt_WhenPrepared_ThenTrimTokensMelFbankAndEmbeddingAreTheReferences()
    {
        var prompt = pipeline.Index.GetProperty("prompt");
        var samples16k = Npy(prompt, "samples16k").AsFloats();

        var normalised = new float[samples16k.Length];
        AudioConditioner.PeakNormalise(samples16k, normalised);
        var trimmed = PromptTrimmer.Trim(normalised, 16000);
        var expectedTrim = Npy(prompt, "trimmed").AsFloats();
        Assert.Equal(expectedTrim.Length, trimmed.Length);
        Assert.Equal(expectedTrim, trimmed);

        var tokens = await pipeline.Tokenizer.TokenizeAsync(trimmed, CancellationToken.None);
        Assert.Equal(Npy(prompt, "tokens").AsInts(), tokens.ToInterleavedIds());

        var expectedMel = Npy(prompt, "mel");
        var (mel, frames) = new PromptMelSpectrogram(22050, 256).Compute(Npy(prompt, "samples22k").AsFloats());
        Assert.Equal(expectedMel.Shape[0], frames);
        var melError = MaxAbs(mel, expectedMel.AsFloats());

        var expectedFbank = Npy(prompt, "fbank");
        var fbank = new KaldiFbank(new KaldiFbankOptions { Window = KaldiWindowType.Povey, InputScale = 1.0 }).ComputeAll(samples16k);
        Assert.Equal(expectedFbank.Length, fbank.Length);
        var fbankError = MaxAbs(fbank, expectedFbank.AsFloats());

        var expectedEmbedding = Npy(prompt, "embedding").AsFloats();
        var embeddingError = MaxAbs(pipeline.Vocoder.EmbedSpeaker(expectedFbank.AsFloats(), expectedFbank.Shape[0]), expectedEmbedding);
        var ownEmbeddingError = MaxAbs(pipeline.Vocoder.EmbedSpeaker(fbank, fbank.Length / 80), expectedEmbedding);
        output.WriteLine($"prompt: trimmed {trimmed.Length} samples identical; {tokens.ToInterleavedIds().Length} ids identical; mel {frames} frames max abs error {melError:E2} (1e-4); "
            + $"CAM++ fbank max abs error {fbankError:E2} (1e-3); embedding {embeddingError:E2} (1e-4), from the device's own fbank {ownEmbeddingError:E2}");
        Assert.True(melError <= 1e-4, $"prompt mel max abs error {melError:E3}");
        Assert.True(fbankError <= 1e-3, $"CAM++ fbank max abs error {fbankError:E3}");
        Assert.True(embeddingError <= 1e-4, $"CAM++ embedding max abs error {embeddingError:E3}");
    }

    [Fact]
    public void Vocoder_WhenTheTargetIsVocodedWhole_ThenFlowMelAndHiftPcmAreTheReferencesAndStreamingIsReportedInDb()
    {
        var flow = pipeline.Index.GetProperty("flow");
        var prompt = pipeline.Index.GetProperty("prompt");
        var promptMel = Npy(prompt, "mel");
        var speaker = new SpeakerPrompt(Npy(prompt, "tokens").AsInts(), promptMel.AsFloats(), promptMel.Shape[0], Npy(prompt, "embedding").AsFloats());
        var target = Npy(flow, "target").AsInts();
        var expectedMel = Npy(flow, "mel");
        using var session = pipeline.Vocoder.StartSession(speaker);

        var (mel, frames) = session.SynthesizeMelAll(target);
        Assert.Equal(expectedMel.Shape[^1], frames);
        var melError = MaxAbs(mel, expectedMel.AsFloats());

        var expectedPcm = Npy(pipeline.Index.GetProperty("hift"), "pcm").AsFloats();
        var pcm = session.DecodeAll(expectedMel.AsFloats(), frames);
        Assert.Equal(expectedPcm.Length, pcm.Length);
        var pcmError = MaxAbs(pcm, expectedPcm);

        var whole = session.SynthesizeAll(target);
        var streamed = new List<float>();
        session.Begin();
        foreach (var id in target)
        {
            session.Append(id);
            while (session.TryRunChunk(out var chunk))
            {
                streamed.AddRange(chunk.ToArray());
            }
        }

        streamed.AddRange(session.Finish().ToArray());
        Assert.Equal(whole.Length, streamed.Count);
        var snr = SnrDb(whole, streamed.ToArray());
        output.WriteLine($"flow mel [80 x {frames}] max abs error {melError:E2} (1e-3); HiFT {pcm.Length} samples max abs error {pcmError:E2} (1e-3); streamed against whole: {snr:F1} dB SNR");
        Assert.True(melError <= 1e-3, $"flow mel max abs error {melError:E3}");
        Assert.True(pcmError <= 1e-3, $"HiFT PCM max abs error {pcmError:E3}");
    }

    private JsonElement Clip(string name) =>
        pipeline.Index.GetProperty("clips").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static NpyArray Npy(JsonElement entry, string field) => ExportedModels.Npy(entry.GetProperty(field).GetString()!);

    private int CompareIds(string codebook, int[] actual, int[] expected, float[] margins)
    {
        Assert.Equal(expected.Length, actual.Length);
        var flips = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (actual[i] == expected[i])
            {
                continue;
            }

            Assert.True(margins[i] < NearTie, $"{codebook} id {i}: {actual[i]}, reference {expected[i]} with margin {margins[i]:E2}, not a near-tie");
            output.WriteLine($"{codebook} id {i} flipped at a near-tie: {actual[i]} against {expected[i]}, margin {margins[i]:E2}");
            flips++;
        }

        return flips;
    }

    private static double MaxAbs(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var error = Math.Abs((double)actual[i] - expected[i]);
            max = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(max, error);
        }

        return max;
    }

    private static double SnrDb(float[] reference, float[] test)
    {
        double signal = 0, noise = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            signal += (double)reference[i] * reference[i];
            var d = (double)test[i] - reference[i];
            noise += d * d;
        }

        return noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
    }
}
