using System.Text;
using Microsoft.Extensions.Configuration;
using StepAudio.Ops.Config;
using StepAudio.Ops.Tests.Fakes;
using StepAudio.TestSupport;

namespace StepAudio.Ops.Tests.Config;

public sealed class DesiredConfigProcessorTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stepaudio-processor-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FakeDesiredConfigValidator _validator = new();
    private readonly DesiredConfigSource _source;
    private readonly IConfigurationRoot _configuration;
    private readonly DesiredConfigProcessor _processor;

    public DesiredConfigProcessorTests()
    {
        _source = new DesiredConfigSource(new DesiredConfigStore(_directory));
        _configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Audio:Volume"] = "40", ["Audio:Device"] = "default" })
            .Add(_source)
            .Build();
        _processor = new DesiredConfigProcessor(_source, [_validator], 64 * 1024);
    }

    public void Dispose()
    {
        (_configuration as IDisposable)?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private DesiredConfigDecision Evaluate(string json) => _processor.Evaluate(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Apply_WhenAccepted_ThenConfigurationReloadsWithDesiredValuesOverBase()
    {
        var reloaded = false;
        _configuration.GetReloadToken().RegisterChangeCallback(_ => reloaded = true, null);

        var decision = Evaluate("""{"version": 2, "settings": {"Audio": {"Volume": 90}}}""");
        Assert.Equal("40", _configuration["Audio:Volume"]);
        var report = _processor.Apply(decision);

        Assert.Equal(DesiredConfigDecisionKind.Accepted, decision.Kind);
        Assert.True(reloaded);
        Assert.Equal("90", _configuration["Audio:Volume"]);
        Assert.Equal("default", _configuration["Audio:Device"]);
        Assert.Equal(["Device", "Volume"], _configuration.GetSection("Audio").GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(new DesiredConfigReport(2, DesiredConfigReport.Applied, report.AppliedAt), report);
    }

    [Fact]
    public void Evaluate_WhenAccepted_ThenPersistedBeforeApplied()
    {
        var decision = Evaluate("""{"version": 2, "settings": {"Audio": {"Volume": 90}}}""");

        Assert.True(_source.Store.TryLoad(out var persisted));
        Assert.Equal(2, persisted!.Version);
        Assert.Equal(0, _processor.CurrentVersion);
        _processor.Apply(decision);
        Assert.Equal(2, _processor.CurrentVersion);
    }

    [Fact]
    public void Evaluate_WhenValidatorRefuses_ThenRejectedNothingPersistedLastGoodLive()
    {
        _processor.Apply(Evaluate("""{"version": 2, "settings": {"Audio": {"Volume": 90}}}"""));

        var decision = Evaluate("""{"version": 3, "settings": {"Audio": {"Volume": 101}}}""");

        Assert.Equal(DesiredConfigDecisionKind.Rejected, decision.Kind);
        Assert.Equal(new DesiredConfigRejection(3, DesiredConfigRejectionCodes.InvalidSettings, "Volume must be an integer from 0 to 100, got '101'.", "Audio:Volume"), decision.Rejection);
        Assert.Equal("90", _configuration["Audio:Volume"]);
        Assert.True(_source.Store.TryLoad(out var persisted));
        Assert.Equal(2, persisted!.Version);
        Assert.Throws<InvalidOperationException>(() => _processor.Apply(decision));
    }

    [Fact]
    public void Evaluate_WhenValidatorThrows_ThenRejectedAsValidatorFailed()
    {
        _validator.Throw = true;

        var decision = Evaluate("""{"version": 3, "settings": {}}""");

        Assert.Equal(DesiredConfigRejectionCodes.ValidatorFailed, decision.Rejection!.Code);
        Assert.Contains("validator exploded", decision.Rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_WhenVersionRepeatedOrOlder_ThenUnchangedOrStale()
    {
        _processor.Apply(Evaluate("""{"version": 5, "settings": {"Audio": {"Volume": 50}}}"""));
        var calls = _validator.Calls;

        var duplicate = Evaluate("""{"version": 5, "settings": {"Audio": {"Volume": 1}}}""");
        var stale = Evaluate("""{"version": 4, "settings": {"Audio": {"Volume": 1}}}""");

        Assert.Equal(DesiredConfigDecisionKind.Duplicate, duplicate.Kind);
        Assert.Equal(DesiredConfigReport.Unchanged, _processor.Apply(duplicate).Status);
        Assert.Equal(DesiredConfigRejectionCodes.StaleVersion, stale.Rejection!.Code);
        Assert.Equal(calls, _validator.Calls);
        Assert.Equal("50", _configuration["Audio:Volume"]);
    }

    [Fact]
    public void Evaluate_WhenTooLarge_ThenRejectedBeforeParsing()
    {
        var processor = new DesiredConfigProcessor(_source, [_validator], 64);

        var decision = processor.Evaluate(Encoding.UTF8.GetBytes("{\"version\": 9, \"settings\": {\"Padding\": \"" + new string('x', 100) + "\"}}"));

        Assert.Equal(DesiredConfigRejectionCodes.TooLarge, decision.Rejection!.Code);
    }

    [Fact]
    public void Evaluate_WhenFuzzed_ThenAlwaysDecidesAndNeverThrows()
    {
        var fuzz = new FuzzPayloads(seed: 7);
        var counts = new Dictionary<DesiredConfigDecisionKind, int>();
        for (var i = 0; i < 3000; i++)
        {
            var decision = _processor.Evaluate(fuzz.NextConfig());
            counts[decision.Kind] = counts.GetValueOrDefault(decision.Kind) + 1;
            if (decision.Kind != DesiredConfigDecisionKind.Rejected)
            {
                _processor.Apply(decision);
            }
        }

        Assert.True(counts[DesiredConfigDecisionKind.Rejected] > 1000);
        Assert.True(counts.GetValueOrDefault(DesiredConfigDecisionKind.Accepted) > 0);
        Assert.True(_source.Store.TryLoad(out var persisted));
        Assert.Equal(_processor.CurrentVersion, persisted!.Version);
    }
}
