using System.ComponentModel.DataAnnotations;
using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Tests.Voice;

public sealed class VoiceOptionsTests(VoiceModels models) : IClassFixture<VoiceModels>
{
    [Fact]
    public void Validate_WhenASingingPromptWavIsMissing_ThenTheErrorNamesTheFileAndItsSetting()
    {
        var missing = Path.Combine(models.NewDirectory(), "rap-prompt.wav");
        var options = Valid();
        options.Rap = new SingingPromptOptions { PromptWav = missing, PromptText = "yo", SystemText = "rap system text" };

        var failure = Assert.Single(Validate(options));

        Assert.Contains(missing, failure.ErrorMessage);
        Assert.Contains("(RAP)", failure.ErrorMessage);
        Assert.Equal(["Rap:PromptWav"], failure.MemberNames);
    }

    [Fact]
    public void Validate_WhenASingingSectionLacksItsTexts_ThenEachMissingFieldIsNamed()
    {
        var options = Valid();
        options.Humming = new SingingPromptOptions { PromptWav = options.PromptWav };

        var members = Validate(options).SelectMany(f => f.MemberNames).ToArray();

        Assert.Equal(["Humming:PromptText", "Humming:SystemText"], members);
    }

    [Fact]
    public void Validate_WhenTheMusicVocoderSectionIsIncomplete_ThenItsFailureIsReportedUnderMusicVocoder()
    {
        var options = Valid();
        options.MusicVocoder = new VocoderOptions { ModelDirectory = string.Empty };

        var failure = Assert.Single(Validate(options));

        Assert.Equal(["MusicVocoder:ModelDirectory"], failure.MemberNames);
        Assert.Contains("music vocoder", failure.ErrorMessage);
    }

    [Fact]
    public void Validate_WhenTheMusicVocoderHasABadProfileOrThreadCount_ThenEachIsNamedUnderMusicVocoder()
    {
        var options = Valid();
        options.MusicVocoder = new VocoderOptions { ModelDirectory = "/models", Profile = "../v1", Inference = new() { IntraOpThreads = 0 } };

        var members = Validate(options).SelectMany(f => f.MemberNames).ToArray();

        Assert.Equal(["MusicVocoder:Profile", "MusicVocoder:Inference:IntraOpThreads"], members);
    }

    [Fact]
    public void Validate_WhenSingingIsFullyConfigured_ThenTheOptionsAreValid()
    {
        var options = Valid();
        options.Rap = new SingingPromptOptions { PromptWav = options.PromptWav, PromptText = "yo", SystemText = "rap" };
        options.Humming = new SingingPromptOptions { PromptWav = options.PromptWav, PromptText = "la", SystemText = "hum" };
        options.MusicVocoder = models.MusicOptions;

        Assert.Empty(Validate(options));
    }

    [Fact]
    public void ResolveCacheDirectory_WhenSetOrNot_ThenTheSettingWinsElseAVoicesDirectory()
    {
        var options = Valid();
        var defaulted = options.ResolveCacheDirectory();
        options.CacheDirectory = "/tmp/voices-here";

        Assert.Equal("voices", Path.GetFileName(defaulted));
        Assert.Equal("/tmp/voices-here", options.ResolveCacheDirectory());
    }

    private VoiceOptions Valid() => new()
    {
        PromptWav = PromptRecordings.Write(Path.Combine(models.NewDirectory(), "prompt.wav")),
        PromptText = "Hello there.",
        SystemText = "Speak as the speaker.",
    };

    private static List<ValidationResult> Validate(VoiceOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
