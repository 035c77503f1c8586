using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using StepAudio.Appliance.Cli;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary><c>tokenize</c> on a small speech WAV with the contract models: the same tokens as the engine's tokenizer, in the chat model's format.</summary>
[Collection(PinnedModelsGroup.Name)]
public sealed partial class TokenizeCommandTests : IDisposable
{
    private readonly ContractModelsFixture _contract;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-tokenize-{Guid.NewGuid():N}");
    private readonly string _wav;
    private readonly float[] _speech;

    public TokenizeCommandTests(ContractModelsFixture contract)
    {
        _contract = contract;
        Directory.CreateDirectory(_dir);
        _wav = Path.Combine(_dir, "speech.wav");
        WavFile.Write(_wav, SpeechClips.Concat(SpeechClips.Silence(200), SpeechClips.Synthesize("What time is it in Tokyo?", wordsPerMinute: 160), SpeechClips.Silence(300)), 16000, 1);
        _speech = WavFile.Read(_wav).Samples;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Tokenize_WhenSpeechWav_ThenPrintsTheTokenizersTokenString()
    {
        var (code, stdout) = await RunAsync(_wav);

        Assert.Equal(ExitCodes.Ok, code);
        var expected = await TokenizeDirectlyAsync(_speech);
        Assert.True(expected.GroupCount > 10, $"{expected.GroupCount} groups for {_speech.Length / 16000.0:F2} s");
        Assert.Equal(expected.ToTokenString(), stdout.Trim());
        Assert.Matches(TokenStringPattern(), stdout.Trim());
    }

    [Fact]
    public async Task Tokenize_WhenIds_ThenPrintsLlmIdsOfWholeGroups()
    {
        var (code, stdout) = await RunAsync(_wav, "--ids");

        Assert.Equal(ExitCodes.Ok, code);
        var ids = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var expected = await TokenizeDirectlyAsync(_speech);
        Assert.Equal(expected.ToLlmIds(), ids);
        Assert.Equal(0, ids.Length % 5);
        Assert.All(ids, id => Assert.InRange(id, AudioTokens.LlmAudioIdOffset, AudioTokens.LlmAudioIdOffset + AudioTokens.InterleavedVocabularySize - 1));
    }

    [Fact]
    public async Task Tokenize_WhenStereoWithTheSameSpeechInBothChannels_ThenSameTokensAsMono()
    {
        var interleaved = new float[_speech.Length * 2];
        for (var i = 0; i < _speech.Length; i++)
        {
            interleaved[2 * i] = interleaved[(2 * i) + 1] = _speech[i];
        }

        var stereo = Path.Combine(_dir, "stereo.wav");
        WavFile.Write(stereo, interleaved, 16000, 2);

        var (code, stdout) = await RunAsync(stereo);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal((await RunAsync(_wav)).Stdout, stdout);
    }

    [Fact]
    public async Task Tokenize_WhenModelDirectoryIsMissing_ThenExitsModelError()
    {
        var (code, stdout) = await RunAsync(_wav, "--contract-models", Path.Combine(_dir, "no-models"));

        Assert.Equal(ExitCodes.ModelError, code);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Tokenize_WhenWavIsMalformed_ThenExitsBadInput()
    {
        var broken = Path.Combine(_dir, "broken.wav");
        await File.WriteAllBytesAsync(broken, [.. "RIFF\u0010\0\0\0WAVEfmt "u8.ToArray(), 1, 2, 3]);

        var (code, stdout) = await RunAsync(broken);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(stdout);
    }

    private async Task<(int Code, string Stdout)> RunAsync(string input, params string[] extra)
    {
        using var console = new StringWriter();
        string[] models = extra.Contains("--contract-models") ? [] : ["--contract-models", _contract.Directory];
        var code = await ApplianceCommandLine.Create()
            .Parse(["tokenize", input, .. models, .. extra])
            .InvokeAsync(new InvocationConfiguration { Output = console });
        return (code, console.ToString());
    }

    private async Task<AudioTokens> TokenizeDirectlyAsync(float[] samples)
    {
        using var tokenizer = DualCodebookTokenizer.Load(new TokenizerOptions { ModelDirectory = _contract.Directory }, new OnnxSessionFactory());
        return await tokenizer.TokenizeAsync(samples, CancellationToken.None);
    }

    [GeneratedRegex(@"^(<audio_(\d|[1-9]\d{1,2}|10[01]\d|102[0-3])><audio_(\d|[1-9]\d{1,2}|10[01]\d|102[0-3])>(<audio_(102[4-9]|10[3-9]\d|1[1-9]\d\d|[2-4]\d{3}|50\d\d|51[01]\d)>){3})+$")]
    private static partial Regex TokenStringPattern();
}
