using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Hosting;

namespace StepAudio.Appliance.Tests.Hosting;

public sealed class SystemdCredentialsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-creds-{Guid.NewGuid():N}");

    public SystemdCredentialsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("stepaudio_GpuServer__ApiKey", "GpuServer:ApiKey")]
    [InlineData("GpuServer__ApiKey", "GpuServer:ApiKey")]
    [InlineData("stepaudio_Fleet__Tls__ClientKeyPassword", "Fleet:Tls:ClientKeyPassword")]
    [InlineData("other_Fleet__Password", "other_Fleet:Password")]
    public void TryGetKey_WhenTheNameHoldsASectionPath_MapsItToTheKey(string file, string key)
    {
        Assert.True(SystemdCredentials.TryGetKey(file, out var mapped));
        Assert.Equal(key, mapped);
    }

    [Theory]
    [InlineData("stepaudio_fleet-client.key")]
    [InlineData("ApiKey")]
    [InlineData("stepaudio__ApiKey")]
    [InlineData("GpuServer____ApiKey")]
    [InlineData("GpuServer__")]
    public void TryGetKey_WhenTheFileIsNoSetting_ReturnsFalse(string file) =>
        Assert.False(SystemdCredentials.TryGetKey(file, out _));

    [Fact]
    public void Load_WhenFilesAreThere_ReadsSettingsWithoutTheTrailingLineBreak()
    {
        File.WriteAllText(Path.Combine(_dir, "stepaudio_GpuServer__ApiKey"), "sk-123\n");
        File.WriteAllText(Path.Combine(_dir, "stepaudio_Fleet__Password"), "p w\r\n");
        File.WriteAllText(Path.Combine(_dir, "stepaudio_fleet-client.key"), "-----BEGIN PRIVATE KEY-----\n");

        var config = new ConfigurationBuilder().AddSystemdCredentials(_dir).Build();

        Assert.Equal("sk-123", config["GpuServer:ApiKey"]);
        Assert.Equal("p w", config["Fleet:Password"]);
        Assert.Equal(2, config.AsEnumerable().Count(kv => kv.Value is not null));
    }

    [Fact]
    public void Load_WhenThereIsNoCredentialsDirectory_AddsNothing()
    {
        Assert.Empty(new ConfigurationBuilder().AddSystemdCredentials(null).Build().AsEnumerable());
        Assert.Empty(new ConfigurationBuilder().AddSystemdCredentials(Path.Combine(_dir, "absent")).Build().AsEnumerable());
    }
}
