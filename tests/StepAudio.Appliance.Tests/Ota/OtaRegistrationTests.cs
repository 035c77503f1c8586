using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Ota;

namespace StepAudio.Appliance.Tests.Ota;

/// <summary>Whether the service runs the update agent, and why not when it does not.</summary>
public sealed class OtaRegistrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-ota-reg-{Guid.NewGuid():N}");

    public OtaRegistrationTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DisabledReason_WhenUnsetAndThereIsNoSystemConf_NamesTheMissingFile()
    {
        var missing = Path.Combine(_dir, "system.conf");

        var reason = OtaRegistration.DisabledReason(Section(("Rauc:ConfigPath", missing)));

        Assert.NotNull(reason);
        Assert.Contains($"no RAUC system configuration at {missing}", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DisabledReason_WhenUnsetAndSystemConfExists_RunsTheAgent()
    {
        var conf = Path.Combine(_dir, "system.conf");
        File.WriteAllText(conf, "[system]\ncompatible=stepaudio-edge\n");

        Assert.Null(OtaRegistration.DisabledReason(Section(("Rauc:ConfigPath", conf))));
    }

    [Fact]
    public void DisabledReason_WhenSwitchedOffOrOn_FollowsTheSwitch()
    {
        var conf = Path.Combine(_dir, "system.conf");
        File.WriteAllText(conf, "[system]\n");

        Assert.Equal("Ota:Enabled is false.", OtaRegistration.DisabledReason(Section(("Enabled", "false"), ("Rauc:ConfigPath", conf))));
        Assert.Null(OtaRegistration.DisabledReason(Section(("Enabled", "true"), ("Rauc:ConfigPath", Path.Combine(_dir, "absent.conf")))));
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Ota:" + v.Key, v.Value)))
            .Build()
            .GetSection(OtaServiceOptions.SectionName);
}
