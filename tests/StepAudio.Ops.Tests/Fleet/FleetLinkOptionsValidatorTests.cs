using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Tests.Fleet;

public sealed class FleetLinkOptionsValidatorTests
{
    private static List<string> Failures(FleetLinkOptions options) =>
        new FleetLinkOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_WhenDeviceIdMissing_ThenFails()
    {
        var failures = Failures(new FleetLinkOptions());

        Assert.Contains(failures, f => f.Contains("DeviceId", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WhenComplete_ThenSucceeds() =>
        Assert.Empty(Failures(new FleetLinkOptions
        {
            DeviceId = "dev-1", BrokerHost = "broker.local", Username = "dev-1", Password = "x", Tls = new FleetTlsOptions { Enabled = true, CaFile = "ca.pem" },
        }));

    [Theory]
    [InlineData("broker.local", false, false, false)]
    [InlineData("192.0.2.7", false, false, false)]
    [InlineData("192.0.2.7", false, true, true)]
    [InlineData("192.0.2.7", true, false, true)]
    [InlineData("127.0.0.1", false, false, true)]
    [InlineData("127.1.2.3", false, false, true)]
    [InlineData("::1", false, false, true)]
    [InlineData("localhost", false, false, true)]
    public void Validate_WhenRemoteBrokerHasNoTls_ThenFailsUnlessPlaintextIsAllowed(string host, bool tls, bool allowPlaintext, bool valid)
    {
        var failures = Failures(new FleetLinkOptions
        {
            DeviceId = "dev-1", BrokerHost = host, AllowPlaintext = allowPlaintext, Tls = new FleetTlsOptions { Enabled = tls, CaFile = "ca.pem" },
        });

        if (valid)
        {
            Assert.Empty(failures);
        }
        else
        {
            Assert.Contains(failures, f => f.Contains("Fleet:AllowPlaintext", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_WhenCrossFieldRulesBroken_ThenEachIsNamed()
    {
        var failures = Failures(new FleetLinkOptions
        {
            DeviceId = "dev/1",
            BackoffMin = TimeSpan.FromSeconds(10),
            BackoffMax = TimeSpan.FromSeconds(1),
            Password = "x",
            OutboxCapacity = 0,
            Tls = new FleetTlsOptions { Enabled = true, ClientCertificateFile = "c.pem" },
        });

        Assert.Contains(failures, f => f.Contains("DeviceId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("BackoffMin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Username", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("OutboxCapacity", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("CaFile", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ClientKeyFile", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("BrokerHost", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WhenTelemetryIntervalTooShort_ThenFails()
    {
        var failures = Failures(new FleetLinkOptions { DeviceId = "d", TelemetryInterval = TimeSpan.FromMilliseconds(1) });

        Assert.Contains(failures, f => f.Contains("TelemetryInterval", StringComparison.Ordinal));
    }
}
