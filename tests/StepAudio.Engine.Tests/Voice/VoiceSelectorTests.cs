using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Tts;
using StepAudio.Engine.Vocoder;
using StepAudio.Engine.Voice;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Engine.Tests.Voice;

public sealed class VoiceSelectorTests(VoiceModels models) : IClassFixture<VoiceModels>
{
    private const int NoMusicVocoder = 1706;

    private static readonly string[] s_speechTags =
        ["高兴1", "高兴2", "生气1", "生气2", "悲伤1", "撒娇1", "中文", "英文", "韩语", "日语", "四川话", "粤语", "广东话", "慢速1", "慢速2", "快速1", "快速2"];

    private static readonly (string Open, string Close)[] s_brackets = [("(", ")"), ("（", "）"), ("(", "）"), ("（", ")")];

    private readonly SpeakerVoice _speaker = Voice("speaker");
    private readonly SpeakerVoice _speakerOnMusic = Voice("speaker on music");
    private readonly SpeakerVoice _rap = Voice("rap");
    private readonly SpeakerVoice _humming = Voice("humming");

    public static TheoryData<string, VoiceStyle> EveryTagInEveryBracketStyle()
    {
        var data = new TheoryData<string, VoiceStyle>();
        foreach (var (open, close) in s_brackets)
        {
            foreach (var tag in s_speechTags)
            {
                data.Add($"{open}{tag}{close}今天天气真好", VoiceStyle.Speech);
            }

            data.Add($"{open}RAP{close}我的节奏停不下来", VoiceStyle.Rap);
            data.Add($"{open}哼唱{close}啦啦啦", VoiceStyle.Humming);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTagInEveryBracketStyle))]
    public void Select_WhenAStepAudioTagLeadsInAnyBracketStyle_ThenOnlyRapAndHummingSingThroughTheMusicVocoder(string text, VoiceStyle expected)
    {
        var choice = FullSelector().Select(ControlTagParser.Parse(text));

        Assert.Equal(expected, choice.Style);
        var (voice, vocoder) = expected switch
        {
            VoiceStyle.Rap => (_rap, models.MusicVocoder),
            VoiceStyle.Humming => (_humming, models.MusicVocoder),
            _ => (_speaker, models.SpeechVocoder),
        };
        Assert.Same(voice, choice.Voice);
        Assert.Same(vocoder, choice.Vocoder);
        Assert.Equal(expected != VoiceStyle.Speech, choice.UsesMusicVocoder);
    }

    [Theory]
    [InlineData("好的(RAP)来一段")]
    [InlineData("Sure, (哼唱) la la")]
    [InlineData("哈（RAP）")]
    [InlineData("(高兴1)我来(RAP)一段")]
    public void Select_WhenTheMusicTagIsNotAtTheStart_ThenTheReplyIsSpoken(string text)
    {
        var choice = FullSelector().Select(ControlTagParser.Parse(text));

        Assert.Equal(VoiceStyle.Speech, choice.Style);
        Assert.Same(models.SpeechVocoder, choice.Vocoder);
    }

    [Theory]
    [InlineData("((RAP))yo")]
    [InlineData("（(RAP)）yo")]
    [InlineData("(RAP yo")]
    [InlineData("（哼唱啦啦啦")]
    [InlineData("RAP)yo")]
    [InlineData("哼唱）啦啦")]
    [InlineData("()RAP")]
    [InlineData("(rap)yo")]
    [InlineData("(RAP1)yo")]
    public void Select_WhenBracketsAreNestedBrokenOrTheWordIsNotATag_ThenTheReplyIsSpoken(string text)
    {
        var choice = FullSelector().Select(ControlTagParser.Parse(text));

        Assert.Equal(VoiceStyle.Speech, choice.Style);
        Assert.Same(_speaker, choice.Voice);
    }

    [Fact]
    public void Select_WhenARapTextAlsoSays哼唱_ThenItRapsWithTheRapPromptAndTheHummingSystemTextAsTheReferenceDoes()
    {
        // tts.py: the speaker prompt is f"{speaker}{instruction_name}" (RAP), the system prompt the vocal one ("哼唱" in text).
        var choice = FullSelector().Select(ControlTagParser.Parse("(RAP)我们一起哼唱吧"));

        Assert.Equal(VoiceStyle.Rap, choice.Style);
        Assert.Equal(_rap with { SystemText = _humming.SystemText }, choice.Voice);
        Assert.Same(models.MusicVocoder, choice.Vocoder);
    }

    [Theory]
    [InlineData("(RAP)yo", "RAP")]
    [InlineData("（哼唱）啦啦", "哼唱")]
    [InlineData("(RAP）mixed", "RAP")]
    [InlineData("(RAP)今天（开心）", "RAP")]
    [InlineData("（RAP）今天（开心）", "RAP）今天（开心")]
    [InlineData("（RAP）今天（开心）(x)", "RAP）今天（开心")]
    [InlineData("（RAP）line\nbreak（b）", "RAP）line\nbreak（b")]
    [InlineData(" (RAP)late", "")]
    [InlineData("(RAP", "")]
    [InlineData("((RAP))", "")]
    [InlineData("(（哼唱）)啦啦", "哼唱")]
    [InlineData("", "")]
    public void InstructionName_WhenMatchedAsTtsPyDoes_ThenTheGroupIsStrippedOfBrackets(string text, string expected)
    {
        Assert.Equal(expected, VoiceSelector.InstructionName(text));
    }

    [Fact]
    public void Select_WhenAFullWidthBracketFollowsTheSingingTag_ThenTheReplyIsSpokenAsUpstreamsGreedyMatchDecides()
    {
        var choice = FullSelector().Select(ControlTagParser.Parse("（RAP）今天（开心）"));

        Assert.Equal(VoiceStyle.Speech, choice.Style);
        Assert.Same(_speaker, choice.Voice);
    }

    [Fact]
    public void Select_WhenLaterSentencesInheritTheReplyTag_ThenTheyKeepSinging()
    {
        var selector = FullSelector();
        var first = ControlTagParser.Parse("(RAP)第一句。");

        var second = ControlTagParser.Apply("第二句。", first.Tag, null);

        Assert.Equal("(RAP)第二句。", second.Text);
        Assert.Same(_rap, selector.Select(second).Voice);
    }

    [Fact]
    public void Select_WhenNoSingingPromptIsConfigured_ThenTheVoiceKeepsItsOwnPromptOnTheMusicVocoder()
    {
        var selector = new VoiceSelector(
            new VoiceChoice(VoiceStyle.Speech, _speaker, models.SpeechVocoder, false),
            new VoiceChoice(VoiceStyle.Speech, _speakerOnMusic, models.MusicVocoder, true),
            null,
            null);

        var rap = selector.Select(ControlTagParser.Parse("(RAP)yo"));
        var humming = selector.Select(ControlTagParser.Parse("（哼唱）啦"));

        Assert.Equal((VoiceStyle.Rap, VoiceStyle.Humming), (rap.Style, humming.Style));
        Assert.All([rap, humming], c => Assert.Same(_speakerOnMusic, c.Voice));
        Assert.All([rap, humming], c => Assert.Same(models.MusicVocoder, c.Vocoder));
    }

    [Fact]
    public void Select_WhenNoMusicVocoderIsConfigured_ThenSingingUsesTheSpeechVocoderAndSaysSoOnce()
    {
        var log = new ListLogger<VoiceSelector>();
        var selector = new VoiceSelector(
            new VoiceChoice(VoiceStyle.Speech, _speaker, models.SpeechVocoder, false),
            null,
            new VoiceChoice(VoiceStyle.Rap, _rap, models.SpeechVocoder, false),
            null,
            log);

        var rap = selector.Select(ControlTagParser.Parse("(RAP)one"));
        var again = selector.Select(ControlTagParser.Parse("(RAP)two"));
        var humming = selector.Select(ControlTagParser.Parse("(哼唱)three"));
        var spoken = selector.Select(ControlTagParser.Parse("four"));

        Assert.Same(_rap, rap.Voice);
        Assert.Same(_rap, again.Voice);
        Assert.Same(_speaker, humming.Voice);
        Assert.Equal(VoiceStyle.Speech, spoken.Style);
        Assert.All([rap, again, humming, spoken], c => Assert.Same(models.SpeechVocoder, c.Vocoder));
        Assert.Equal(1, log.Count(NoMusicVocoder));
    }

    [Fact]
    public void DefaultStyle_WhenTheSpeakingVoiceHasOne_ThenTheSelectorAppliesItToUntaggedReplies()
    {
        var slow = ControlTagParser.Parse("(慢速1)").Tag;
        var selector = new VoiceSelector(_speaker with { DefaultStyle = slow }, models.SpeechVocoder);

        var tagged = ControlTagParser.Apply("你好。", null, selector.DefaultStyle);

        Assert.Equal("(慢速1)你好。", tagged.Text);
        Assert.Equal(VoiceStyle.Speech, selector.Select(tagged).Style);
    }

    private VoiceSelector FullSelector() => new(
        new VoiceChoice(VoiceStyle.Speech, _speaker, models.SpeechVocoder, false),
        new VoiceChoice(VoiceStyle.Speech, _speakerOnMusic, models.MusicVocoder, true),
        new VoiceChoice(VoiceStyle.Rap, _rap, models.MusicVocoder, true),
        new VoiceChoice(VoiceStyle.Humming, _humming, models.MusicVocoder, true));

    private static SpeakerVoice Voice(string name) =>
        new($"system of {name}", $"text of {name}", [1, 2, 1030], new SpeakerPrompt([], [], 0, new float[192]));
}
