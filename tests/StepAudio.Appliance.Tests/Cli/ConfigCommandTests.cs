using StepAudio.Appliance.Cli;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary><c>config validate</c>: a document laid over the defaults, every problem once, with its path.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("config-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "Endpointing": { "PauseMs": 320 } }""")]
    public async Task Validate_WhenTheDocumentIsPartial_IsValidOverTheDefaults(string json)
    {
        var (code, output, error) = await ValidateAsync(json);

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("valid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WhenTypeAndRangeErrorsMeet_ReportsEachOnceWithItsPath()
    {
        var (code, _, error) = await ValidateAsync("""
            { "Endpointing": { "PauseMs": "abc", "MaxTurnMs": -3 },
              "WakeWord": { "Threshold": 7 },
              "Fleet": { "BackoffMin": "00:10:00", "BackoffMax": "00:00:01" } }
            """);

        Assert.Equal(ExitCodes.BadInput, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines, l => l.Contains("Endpointing:PauseMs: 'abc' is not a valid whole number", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Endpointing:MaxTurnMs:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("WakeWord:Threshold:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Fleet:BackoffMin,BackoffMax:", StringComparison.Ordinal));
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Validate_WhenAKeyIsMisspelt_ReportsItAsUnknown()
    {
        var (code, _, error) = await ValidateAsync("""{ "Endpointing": { "EndOfTurMs": 900 }, "Endpoynting": { "PauseMs": 1 } }""");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("Endpointing:EndOfTurMs: unknown setting", error, StringComparison.Ordinal);
        Assert.Contains("Endpoynting:PauseMs: unknown setting", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WhenListsAndLogLevelsAreGiven_KnowsThem()
    {
        var (code, _, error) = await ValidateAsync("""
            { "WakeWord": { "Heads": ["oww-hey-jarvis", "oww-alexa"] },
              "Logging": { "LogLevel": { "StepAudio.Engine": "Debug" } },
              "Audio": { "Channels": { "Mode": "Beam", "MicrophonePositions": [ { "X": 0, "Y": 0 }, { "X": 0.05, "Y": 0 } ] } } }
            """);

        Assert.True(code == ExitCodes.Ok, error);
    }

    [Fact]
    public async Task Validate_WhenTheFileIsNotJson_ExitsBadInputSayingSo()
    {
        var (code, _, error) = await ValidateAsync("{ \"Endpointing\": ");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("is not valid JSON", error, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> ValidateAsync(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, json);
        return await CliRunner.RunAsync("config", "validate", path);
    }
}
