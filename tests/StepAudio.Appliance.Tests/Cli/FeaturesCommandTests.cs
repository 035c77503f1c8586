using System.CommandLine;
using StepAudio.Appliance.Cli;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Features;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary><c>features</c> on a small speech WAV: the .npy holds what the engine's front-ends compute, in the documented layout.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class FeaturesCommandTests : IDisposable
{
    private readonly ContractModelsFixture _contract;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-features-{Guid.NewGuid():N}");
    private readonly float[] _speech;
    private readonly string _wav;

    public FeaturesCommandTests(ContractModelsFixture contract)
    {
        _contract = contract;
        Directory.CreateDirectory(_dir);
        _speech = SpeechClips.Synthesize("Turn on the lights.", wordsPerMinute: 170);
        _wav = Path.Combine(_dir, "speech.wav");
        WavFile.Write(_wav, _speech, 16000, 1);
        _speech = WavFile.Read(_wav).Samples;   // the 16-bit samples the command reads
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Features_WhenFbank_ThenWritesKaldiFbankFramesByBins()
    {
        var (code, values, rows, columns, console) = await RunAsync("fbank");

        Assert.Equal(ExitCodes.Ok, code);
        var expected = new KaldiFbank().ComputeAll(_speech);
        Assert.Equal((expected.Length / 80, 80), (rows, columns));
        Assert.Equal(expected, values);
        Assert.Contains($"fbank: ({rows}, 80)", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Features_WhenLfr_ThenStacksSevenFramesEverySixPaddedWithTheEdgeFrames()
    {
        var (code, values, rows, columns, _) = await RunAsync("lfr");

        Assert.Equal(ExitCodes.Ok, code);
        var fbank = new KaldiFbank().ComputeAll(_speech);
        var frames = fbank.Length / 80;
        Assert.Equal(((frames + 5) / 6, 560), (rows, columns));
        for (var row = 0; row < rows; row++)
        {
            for (var slot = 0; slot < 7; slot++)
            {
                // Input frame (row * 6 + slot - 3), clamped to the first and last frames.
                var source = Math.Clamp((row * 6) + slot - 3, 0, frames - 1);
                Assert.Equal(fbank.AsSpan(source * 80, 80).ToArray(), values.AsSpan((row * 560) + (slot * 80), 80).ToArray());
            }
        }
    }

    [Fact]
    public async Task Features_WhenLfrWithCmvn_ThenShiftedAndScaledByTheAmMvn()
    {
        var mvn = Path.Combine(_contract.Directory, "vq02", "am.mvn");
        var (_, plain, _, _, _) = await RunAsync("lfr");

        var (code, values, rows, columns, console) = await RunAsync("lfr", "--cmvn", mvn);

        Assert.True(code == ExitCodes.Ok, console);
        Assert.Equal(560, columns);
        var expected = plain.ToArray();
        Cmvn.Load(mvn).Apply(expected);
        Assert.Equal(expected, values);
        Assert.NotEqual(plain, values);
        Assert.Equal(plain.Length / 560, rows);
    }

    [Fact]
    public async Task Features_WhenLogMel_ThenWritesWhisperLayoutMelsByFrames()
    {
        var (code, values, rows, columns, _) = await RunAsync("logmel");

        Assert.Equal(ExitCodes.Ok, code);
        var expected = WhisperLogMelAccumulator.Compute(_speech, out var frames);
        Assert.Equal((128, frames), (rows, columns));
        Assert.Equal(expected, values);
    }

    [Fact]
    public async Task Features_WhenNormalise_ThenFeaturesOfThePeakNormalisedSignal()
    {
        var (code, values, _, _, console) = await RunAsync("fbank", "--normalise");

        Assert.True(code == ExitCodes.Ok, console);
        var normalised = new float[_speech.Length];
        AudioConditioner.PeakNormalise(_speech, normalised);
        Assert.Equal(new KaldiFbank().ComputeAll(normalised), values);
        Assert.NotEqual(new KaldiFbank().ComputeAll(_speech), values);
    }

    [Fact]
    public async Task Features_WhenStereoAt48k_ThenMixesToMonoAndResamplesTo16k()
    {
        var stereo48k = PolyphaseResampler.ResampleAll(_speech, 16000, 48000);
        var interleaved = new float[stereo48k.Length * 2];
        for (var i = 0; i < stereo48k.Length; i++)
        {
            interleaved[2 * i] = stereo48k[i];
            interleaved[(2 * i) + 1] = -0.5f * stereo48k[i];
        }

        var path = Path.Combine(_dir, "stereo48k.wav");
        WavFile.Write(path, interleaved, 48000, 2, WavSampleFormat.Float32);

        var (code, _, rows, columns, _) = await RunOnAsync(path, "fbank");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal((new KaldiFbank().FrameCountFor(_speech.Length), 80), (rows, columns));
    }

    [Fact]
    public async Task Features_WhenCmvnGivenForFbank_ThenExitsBadInput()
    {
        var (code, _, _, _, _) = await RunAsync("fbank", "--cmvn", Path.Combine(_dir, "am.mvn"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.False(File.Exists(Path.Combine(_dir, "out.npy")));
    }

    [Fact]
    public async Task Features_WhenWavIsMissing_ThenExitsBadInput()
    {
        var (code, _, _, _, _) = await RunOnAsync(Path.Combine(_dir, "missing.wav"), "logmel");

        Assert.Equal(ExitCodes.BadInput, code);
    }

    private async Task<(int Code, float[] Values, int Rows, int Columns, string Console)> RunAsync(string kind, params string[] extra) =>
        await RunOnAsync(_wav, kind, extra);

    private async Task<(int Code, float[] Values, int Rows, int Columns, string Console)> RunOnAsync(string input, string kind, params string[] extra)
    {
        var output = Path.Combine(_dir, "out.npy");
        File.Delete(output);
        using var console = new StringWriter();
        var code = await ApplianceCommandLine.Create()
            .Parse(["features", "--kind", kind, input, "--out", output, .. extra])
            .InvokeAsync(new InvocationConfiguration { Output = console, Error = console });
        if (!File.Exists(output))
        {
            return (code, [], 0, 0, console.ToString());
        }

        var (values, rows, columns) = NpyWriterTests.Read(await File.ReadAllBytesAsync(output));
        return (code, values, rows, columns, console.ToString());
    }
}
