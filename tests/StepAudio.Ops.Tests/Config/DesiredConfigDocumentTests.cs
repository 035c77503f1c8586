using System.Text;
using StepAudio.Ops.Config;

namespace StepAudio.Ops.Tests.Config;

public sealed class DesiredConfigDocumentTests
{
    private static bool Parse(string json, out DesiredConfigDocument? document, out DesiredConfigRejection? rejection) =>
        DesiredConfigDocument.TryParse(Encoding.UTF8.GetBytes(json), out document, out rejection);

    [Fact]
    public void TryParse_WhenNestedSettings_ThenFlattenedLikeJsonConfiguration()
    {
        Assert.True(Parse("""{"version": 4, "settings": {"Audio": {"Volume": 30, "Mute": false, "Gain": 1.5e0}, "Wake": {"Models": ["a", "b"], "Empty": {}}, "Note": null}}""", out var document, out _));

        Assert.Equal(4, document!.Version);
        Assert.Equal("30", document.Settings["audio:volume"]);
        Assert.Equal("false", document.Settings["Audio:Mute"]);
        Assert.Equal("1.5e0", document.Settings["Audio:Gain"]);
        Assert.Equal("b", document.Settings["Wake:Models:1"]);
        Assert.Null(document.Settings["Wake:Empty"]);
        Assert.Null(document.Settings["Note"]);
        Assert.Equal(7, document.Settings.Count);
    }

    [Theory]
    [InlineData("""{"settings": {}}""", "invalid-document", "version")]
    [InlineData("""{"version": "3", "settings": {}}""", "invalid-document", "version")]
    [InlineData("""{"version": 0, "settings": {}}""", "invalid-document", "version")]
    [InlineData("""{"version": 2.5, "settings": {}}""", "invalid-document", "version")]
    [InlineData("""{"version": 3, "settings": [1]}""", "invalid-document", "settings")]
    [InlineData("""{"version": 3}""", "invalid-document", "settings")]
    [InlineData("""{"version": 3, "settings": {"Audio": {"a:b": 1}}}""", "invalid-document", "Audio")]
    [InlineData("""{"version": 3, "settings": {"Audio": {"Volume": 1, "volume": 2}}}""", "invalid-document", "Audio:volume")]
    [InlineData("""[1, 2]""", "invalid-document", null)]
    [InlineData("""{"version": 3, "settings": {""", "invalid-json", null)]
    public void TryParse_WhenDocumentMalformed_ThenRejectionNamesCodeAndPath(string json, string code, string? path)
    {
        Assert.False(Parse(json, out var document, out var rejection));

        Assert.Null(document);
        Assert.Equal(code, rejection!.Code);
        Assert.Equal(path, rejection.Path);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
    }

    [Fact]
    public void TryParse_WhenInvalidUtf8InsideAString_ThenRejectedAsInvalidJson()
    {
        byte[] payload = [.. """{"version": 3, "settings": {"A": """u8, 0x22, 0xC3, 0x28, 0x22, .. "}}"u8];

        Assert.False(DesiredConfigDocument.TryParse(payload, out _, out var rejection));

        Assert.Equal(DesiredConfigRejectionCodes.InvalidJson, rejection!.Code);
        Assert.Contains("UTF-8", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_WhenNestedDeeperThanLimit_ThenRejectedNotThrown()
    {
        var json = """{"version": 2, "settings": """ + string.Concat(Enumerable.Repeat("""{"a": """, 100)) + "1" + new string('}', 101);

        Assert.False(Parse(json, out _, out var rejection));

        Assert.Equal(DesiredConfigRejectionCodes.InvalidJson, rejection!.Code);
    }
}
