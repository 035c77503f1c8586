using StepAudio.Ops.Telemetry;

namespace StepAudio.Ops.Tests.Telemetry;

public sealed class TelemetryBudgetTests
{
    private static List<TelemetrySnapshot> Streams(params string[] names) =>
        [.. names.Select(n => new TelemetrySnapshot(n, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, []))];

    [Fact]
    public void Select_WhenUnderCap_ThenEverythingGoes()
    {
        var budget = new TelemetryBudget(3);

        var chosen = budget.Select(Streams("a", "b"), out var dropped);

        Assert.Equal(["a", "b"], chosen.Select(s => s.Stream));
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void Select_WhenOverCap_ThenCapHonouredAndStreamsTakeTurns()
    {
        var budget = new TelemetryBudget(2);
        var streams = Streams("a", "b", "c", "d", "e");

        var rounds = Enumerable.Range(0, 5).Select(_ => budget.Select(streams, out var dropped) is var chosen && dropped == 3 ? chosen : throw new InvalidOperationException()).ToList();

        Assert.All(rounds, r => Assert.Equal(2, r.Count));
        Assert.Equal(["a", "b", "c", "d", "e"], rounds.SelectMany(r => r).Select(s => s.Stream).Distinct().Order(StringComparer.Ordinal));
    }
}
