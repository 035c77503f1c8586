using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Fleet;
using StepAudio.Appliance.Hosting;
using StepAudio.Ops.Config;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Fleet;

/// <summary>The fleet-settable allow-list: what it lets through, what it never does, and that its documentation is the list.</summary>
public sealed partial class FleetSettableSettingsTests
{
    [Theory]
    [InlineData("Ota:RebootCommand")]
    [InlineData("ota:rebootcommand")]
    [InlineData("Ota:Rauc:Executable")]
    [InlineData("Ota:Rauc:ConfigPath")]
    [InlineData("Ota:Rauc:KeyringPath")]
    [InlineData("Fleet:Tls:CaFile")]
    [InlineData("Fleet:Tls:Enabled")]
    [InlineData("Fleet:BrokerHost")]
    [InlineData("Fleet:Password")]
    [InlineData("Fleet:DeviceId")]
    [InlineData("GpuServer:BaseAddress")]
    [InlineData("GpuServer:ApiKey")]
    [InlineData("WakeWord:CustomHeadPaths:0")]
    [InlineData("Hosting:StateDirectory")]
    [InlineData("Audio:Capture:Device")]
    [InlineData("Tokenizer:ModelDirectory")]
    public void IsSettable_WhenTheKeyIsExecTrustIdentityOrTheBoxs_IsNotAndSaysWhy(string key)
    {
        Assert.False(FleetSettableSettings.IsSettable(key, out var reason));
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Theory]
    [InlineData("Endpointing:PauseMs")]
    [InlineData("endpointing:pausems")]
    [InlineData("WakeWord:Threshold")]
    [InlineData("WakeWord:Heads:1")]
    [InlineData("Tools:Timers:RingLimit")]
    [InlineData("Logging:LogLevel:Default")]
    [InlineData("Voice:Rap:PromptWav")]
    public void IsSettable_WhenTheKeyTunesBehaviour_Is(string key) => Assert.True(FleetSettableSettings.IsSettable(key, out _), key);

    [Fact]
    public void Patterns_WhenRead_AreAllRealSettingsOfTheDevice()
    {
        foreach (var pattern in FleetSettableSettings.Patterns)
        {
            var key = pattern.EndsWith(":*", StringComparison.Ordinal) ? pattern[..^2] : pattern;
            Assert.True(SettingsCatalog.Appliance.IsKnown(key), $"{pattern} names no setting of the device");
        }
    }

    [Fact]
    public void Validate_WhenAnUnknownKeyComesFirst_RejectsItAsUnknownBeforeAnythingElse()
    {
        var validator = new ApplianceConfigValidator(new ConfigurationBuilder().Build());

        var result = validator.Validate(new DesiredConfigCandidate(2, new Dictionary<string, string?> { ["Audio:Volume"] = "5", ["Ota:RebootCommand"] = "x" }));

        Assert.False(result.IsValid);
        Assert.Equal("Audio:Volume", result.Path);
        Assert.Equal(DesiredConfigRejectionCodes.UnknownSetting, result.Code);
    }

    [Fact]
    public void Readme_ListsExactlyTheSettableSettings()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "ops", "Fleet", "README.md"));
        var block = readme[readme.IndexOf("<!-- fleet-settable:start -->", StringComparison.Ordinal)..readme.IndexOf("<!-- fleet-settable:end -->", StringComparison.Ordinal)];

        var documented = ListItem().Matches(block).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(FleetSettableSettings.Patterns, documented);
    }

    [GeneratedRegex(@"^- `([^`]+)`$", RegexOptions.Multiline)]
    private static partial Regex ListItem();
}
