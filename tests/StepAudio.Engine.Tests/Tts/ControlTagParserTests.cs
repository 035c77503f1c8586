using StepAudio.Engine.Tts;

namespace StepAudio.Engine.Tests.Tts;

public sealed class ControlTagParserTests
{
    [Theory]
    [InlineData("(高兴1)今天天气真好", ControlTagKind.Emotion, "高兴", 1)]
    [InlineData("(高兴2)今天天气真好", ControlTagKind.Emotion, "高兴", 2)]
    [InlineData("(生气1)别这样", ControlTagKind.Emotion, "生气", 1)]
    [InlineData("(生气2)别这样", ControlTagKind.Emotion, "生气", 2)]
    [InlineData("(悲伤1)我很难过", ControlTagKind.Emotion, "悲伤", 1)]
    [InlineData("(撒娇1)陪我玩嘛", ControlTagKind.Emotion, "撒娇", 1)]
    [InlineData("(中文)你好", ControlTagKind.Language, "中文", null)]
    [InlineData("(英文)hello", ControlTagKind.Language, "英文", null)]
    [InlineData("(韩语)안녕하세요", ControlTagKind.Language, "韩语", null)]
    [InlineData("(日语)こんにちは", ControlTagKind.Language, "日语", null)]
    [InlineData("(四川话)巴适得很", ControlTagKind.Language, "四川话", null)]
    [InlineData("(粤语)你好", ControlTagKind.Language, "粤语", null)]
    [InlineData("(广东话)你好", ControlTagKind.Language, "广东话", null)]
    [InlineData("(慢速1)慢慢说", ControlTagKind.Speed, "慢速", 1)]
    [InlineData("(慢速2)慢慢说", ControlTagKind.Speed, "慢速", 2)]
    [InlineData("(快速1)快点说", ControlTagKind.Speed, "快速", 1)]
    [InlineData("(快速2)快点说", ControlTagKind.Speed, "快速", 2)]
    [InlineData("(RAP)我的节奏", ControlTagKind.Music, "RAP", null)]
    [InlineData("(哼唱)啦啦啦", ControlTagKind.Music, "哼唱", null)]
    public void Parse_WhenEveryTagInAsciiBrackets_RecognisesItAndKeepsTheText(string text, ControlTagKind kind, string name, int? intensity)
    {
        var parsed = ControlTagParser.Parse(text);

        Assert.NotNull(parsed.Tag);
        Assert.Equal(kind, parsed.Tag.Kind);
        Assert.Equal(name, parsed.Tag.Name);
        Assert.Equal(intensity, parsed.Tag.Intensity);
        Assert.Equal(text, parsed.Text);
    }

    [Theory]
    [InlineData("（高兴1）今天天气真好")]
    [InlineData("(高兴1）今天天气真好")]
    [InlineData("（高兴1)今天天气真好")]
    [InlineData("  （高兴1）今天天气真好")]
    public void Parse_WhenFullWidthOrMixedBrackets_RecognisesTheTag(string text)
    {
        var parsed = ControlTagParser.Parse(text);

        Assert.Equal("高兴", parsed.Tag?.Name);
        Assert.Equal(1, parsed.Tag?.Intensity);
    }

    [Theory]
    [InlineData("今天(高兴1)天气真好")]
    [InlineData("((高兴1))今天")]
    [InlineData("(（高兴1）)今天")]
    [InlineData("(高兴1今天天气真好")]
    [InlineData("高兴1)今天")]
    [InlineData("()今天")]
    public void Parse_WhenTagIsNotLeadingOrBracketsAreBroken_FindsNoTag(string text)
    {
        var parsed = ControlTagParser.Parse(text);

        Assert.Null(parsed.Tag);
        Assert.Equal(text, parsed.Text);
    }

    [Theory]
    [InlineData("(耳语)小声点", "耳语")]
    [InlineData("(高兴3)太好了", "高兴3")]
    [InlineData("(高兴)太好了", "高兴")]
    [InlineData("(中文2)你好", "中文2")]
    [InlineData("(rap)yo", "rap")]
    public void Parse_WhenBracketedWordIsNotATag_ReportsItAsUnknownAndKeepsTheText(string text, string unknown)
    {
        var parsed = ControlTagParser.Parse(text);

        Assert.Null(parsed.Tag);
        Assert.Equal(unknown, parsed.UnknownTag);
        Assert.Equal(text, parsed.Text);
    }

    [Fact]
    public void Music_DistinguishesHummingFromRap()
    {
        Assert.True(ControlTagParser.Parse("(哼唱)啦").Tag!.IsHumming);
        Assert.True(ControlTagParser.Parse("(RAP)yo").Tag!.IsSinging);
        Assert.False(ControlTagParser.Parse("(RAP)yo").Tag!.IsHumming);
        Assert.False(ControlTagParser.Parse("(高兴1)好").Tag!.IsSinging);
    }

    [Fact]
    public void Apply_WhenLaterSentenceHasNoTag_InheritsTheReplyTagThenTheDefaultStyle()
    {
        var replyTag = ControlTagParser.Parse("(四川话)第一句。").Tag;
        var defaultStyle = ControlTagParser.Parse("(慢速1)").Tag;

        Assert.Equal("(四川话)第二句。", ControlTagParser.Apply("第二句。", replyTag, defaultStyle).Text);
        Assert.Equal("(慢速1)第二句。", ControlTagParser.Apply("第二句。", null, defaultStyle).Text);
        Assert.Equal("(高兴1)第三句。", ControlTagParser.Apply("(高兴1)第三句。", replyTag, defaultStyle).Text);
        Assert.Equal("plain", ControlTagParser.Apply("plain", null, null).Text);
    }
}
