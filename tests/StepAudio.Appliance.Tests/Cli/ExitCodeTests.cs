using StepAudio.Appliance.Cli;
using StepAudio.Appliance.Composition;
using StepAudio.Engine.Audio;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>One exit-code table: bad usage is 2 for every command, the table is printed once, at the top.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exit-codes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("run", "--bogus")]
    [InlineData("listen", "--bogus", "x")]
    [InlineData("listen")]
    [InlineData("config", "validate")]
    [InlineData("diagnose", "--min-free-mb", "lots")]
    [InlineData("no-such-command")]
    public async Task Invoke_WhenTheCommandLineDoesNotParse_ExitsBadUsage(params string[] args)
    {
        var (code, _, _) = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public async Task Run_WhenTheConfigFileIsNotJson_ExitsBadInput()
    {
        var broken = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(broken, "{ \"GpuServer\": ");

        var (code, _, _) = await CliRunner.RunAsync("run", "--config", broken);

        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public async Task Help_WhenAsked_PrintsTheExitCodeTableOnceAtTheTopOnly()
    {
        var (_, top, _) = await CliRunner.RunAsync("--help");
        var (_, listen, _) = await CliRunner.RunAsync("listen", "--help");
        var (_, tokenize, _) = await CliRunner.RunAsync("tokenize", "--help");

        Assert.Single(Occurrences(top, "Exit codes"));
        Assert.Contains(ExitCodes.Help.Split('\n')[3], top, StringComparison.Ordinal);
        Assert.DoesNotContain("Exit codes", listen, StringComparison.Ordinal);
        Assert.DoesNotContain("Exit codes", tokenize, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenThePathIsADirectory_SaysSo()
    {
        var error = Assert.Throws<OptionsException>(() => SpeechInput.Read(_dir));

        Assert.Contains("is a directory, not a WAV file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenTheWavIsBelow8kHz_RefusesNamingTheRate()
    {
        var wav = Path.Combine(_dir, "slow.wav");
        WavFile.Write(wav, new float[4000], 4000, 1);

        var error = Assert.Throws<OptionsException>(() => SpeechInput.Read(wav));

        Assert.Contains("4000 Hz", error.Message, StringComparison.Ordinal);
        Assert.Contains("8000 Hz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_WhenTheWavIsADirectory_ExitsBadInput()
    {
        var (code, _, _) = await CliRunner.RunAsync("tokenize", _dir);

        Assert.Equal(ExitCodes.BadInput, code);
    }

    private static IEnumerable<int> Occurrences(string text, string value)
    {
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            yield return at;
        }
    }
}
