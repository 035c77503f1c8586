using StepAudio.Appliance.Audio.Alsa;

namespace StepAudio.Appliance.Tests.Audio;

[Collection(AlsaTestGroup.Name)]
public sealed class AlsaDevicesTests(AlsaFileDevices devices)
{
    [Fact]
    public void List_WhenTheConfigurationDefinesHintedPcms_ReturnsThemWithDescriptionAndDirections()
    {
        Assert.NotNull(devices);

        var listed = AlsaDevices.List();

        var sink = Assert.Single(listed, d => d.Name == AlsaFileDevices.ListedPcm);
        Assert.Equal(AlsaFileDevices.ListedDescription, sink.Description);
        Assert.True(sink.CanCapture);
        Assert.True(sink.CanPlay);
        Assert.Contains(listed, d => d.Name == "null");
    }
}
