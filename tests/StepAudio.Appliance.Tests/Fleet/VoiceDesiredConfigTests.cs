using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Fleet;
using StepAudio.Engine.Audio;
using StepAudio.Ops.Config;

namespace StepAudio.Appliance.Tests.Fleet;

/// <summary>A fleet sets the voice's style, singing prompts and music vocoder through its desired configuration, checked by the service's validators.</summary>
public sealed class VoiceDesiredConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("voice-desired-").FullName;
    private readonly ApplianceConfigValidator _validator;

    public VoiceDesiredConfigTests()
    {
        var prompt = Path.Combine(_dir, "prompt.wav");
        WavFile.Write(prompt, new float[16000], 16000, 1);
        var current = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tokenizer:ModelDirectory"] = _dir,
            ["Vocoder:ModelDirectory"] = _dir,
            ["Voice:PromptWav"] = prompt,
            ["Voice:PromptText"] = "Hello.",
            ["Voice:SystemText"] = "Speak.",

            // Where the box keeps its models is the box's own setting, never the fleet's.
            ["Voice:MusicVocoder:ModelDirectory"] = _dir,
        }).Build();
        _validator = new ApplianceConfigValidator(current);
    }

    [Fact]
    public void Validate_WhenTheFleetSetsACompleteSingingSetup_ThenItIsAccepted()
    {
        var result = Validate(new()
        {
            ["Voice:DefaultStyle"] = "（四川话）",
            ["Voice:Rap:PromptWav"] = Path.Combine(_dir, "prompt.wav"),
            ["Voice:Rap:PromptText"] = "Yo.",
            ["Voice:Rap:SystemText"] = "Rap.",
            ["Voice:MusicVocoder:Profile"] = "v1-music",
        });

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void Validate_WhenTheFleetPointsAtAMissingSingingPrompt_ThenTheRejectionNamesTheSettingAndTheFile()
    {
        var missing = Path.Combine(_dir, "hum.wav");

        var result = Validate(new()
        {
            ["Voice:Humming:PromptWav"] = missing,
            ["Voice:Humming:PromptText"] = "La.",
            ["Voice:Humming:SystemText"] = "Hum.",
        });

        Assert.False(result.IsValid);
        Assert.Equal("Voice:Humming:PromptWav", result.Path);
        Assert.Contains(missing, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenTheFleetGivesTheMusicVocoderABadProfile_ThenTheRejectionNamesIt()
    {
        var result = Validate(new()
        {
            ["Voice:MusicVocoder:Profile"] = "../escape",
        });

        Assert.False(result.IsValid);
        Assert.Equal("Voice:MusicVocoder:Profile", result.Path);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DesiredConfigValidation Validate(Dictionary<string, string?> settings) => _validator.Validate(new DesiredConfigCandidate(1, settings));
}
