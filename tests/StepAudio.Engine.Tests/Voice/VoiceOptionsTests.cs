using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.Ops.Settings;

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
        Assert.Equal("Rap:PromptWav", failure.Member);
    }

    [Fact]
    public void Validate_WhenASingingSectionLacksItsTexts_ThenEachMissingFieldIsNamed()
    {
        var options = Valid();
        options.Humming = new SingingPromptOptions { PromptWav = options.PromptWav };

        var members = Validate(options).Select(f => f.Member).ToArray();

        Assert.Equal(["Humming:PromptText", "Humming:SystemText"], members);
    }

    [Fact]
    public void Validate_WhenTheMusicVocoderSectionIsIncomplete_ThenItsFailureIsReportedUnderMusicVocoder()
    {
        var options = Valid();
        options.MusicVocoder = new VocoderOptions { ModelDirectory = string.Empty };

        var failure = Assert.Single(Validate(options));

        Assert.Equal("MusicVocoder:ModelDirectory", failure.Member);
        Assert.Contains("music vocoder", failure.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenTheMusicVocoderHasABadProfileOrThreadCount_ThenEachIsNamedUnderMusicVocoder()
    {
        var options = Valid();
        options.MusicVocoder = new VocoderOptions { ModelDirectory = "/models", Profile = "../v1", Inference = new() { IntraOpThreads = 0 } };

        var members = Validate(options).Select(f => f.Member).ToArray();

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

    /// <summary>The service's validation of the Voice section, each failure split into its setting path and message.</summary>
    private static List<Failure> Validate(VoiceOptions options)
    {
        var result = new SectionValidator<VoiceOptions>("Voice", new VoiceOptionsValidator()).Validate(null, options);
        return result.Failed
            ? [.. result.Failures.Select(f => f["Voice:".Length..].Split(": ", 2)).Select(parts => new Failure(parts[0], parts[1]))]
            : [];
    }

    private sealed record Failure(string Member, string ErrorMessage);
}
