using System.Text;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Arbitration;

namespace StepAudio.Ops.Tests.Arbitration;

public sealed class WakeClaimMessageTests
{
    private static readonly DateTimeOffset HeardAt = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    [Fact]
    public void Beats_WhenSnrDiffers_ThenHigherSnrWinsWhateverTheScore()
    {
        var near = new WakeClaimMessage("device-z", 1, "hey_step", 0.5f, 20.0, HeardAt);
        var far = new WakeClaimMessage("device-a", 1, "hey_step", 0.99f, 19.9, HeardAt);

        Assert.True(near.Beats(far));
        Assert.False(far.Beats(near));
    }

    [Fact]
    public void Beats_WhenSnrTies_ThenHigherScoreThenLowerDeviceIdWins()
    {
        var surer = new WakeClaimMessage("device-z", 1, "hey_step", 0.95f, 12.0, HeardAt);
        var lessSure = new WakeClaimMessage("device-a", 1, "hey_step", 0.90f, 12.0, HeardAt);
        var twinA = new WakeClaimMessage("device-a", 1, "hey_step", 0.90f, 12.0, HeardAt);
        var twinB = new WakeClaimMessage("device-b", 9, "hey_step", 0.90f, 12.0, HeardAt);

        Assert.True(surer.Beats(lessSure));
        Assert.True(twinA.Beats(twinB));
        Assert.False(twinB.Beats(twinA));
    }

    [Fact]
    public void TryParse_WhenWrittenByToJson_ThenRoundTripsToMillisecondHeardAt()
    {
        var claim = new WakeClaimMessage("device-a", 42, "hey_step", 0.875f, 17.25, HeardAt);

        Assert.True(WakeClaimMessage.TryParse(claim.ToJson(), out var parsed, out var problem), problem);
        Assert.Equal(claim, parsed);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"device\":\"d\",\"turn\":1,\"keyword\":\"k\",\"score\":0.5,\"snrDb\":3}")]
    [InlineData("{\"device\":\"\",\"turn\":1,\"keyword\":\"k\",\"score\":0.5,\"snrDb\":3,\"heardAt\":5}")]
    [InlineData("{\"device\":\"d\",\"turn\":\"1\",\"keyword\":\"k\",\"score\":0.5,\"snrDb\":3,\"heardAt\":5}")]
    [InlineData("{\"device\":\"d\",\"turn\":1,\"keyword\":\"k\",\"score\":0.5,\"snrDb\":3,\"heardAt\":-5}")]
    public void TryParse_WhenTheClaimIsIncomplete_ThenFalseWithAReason(string json)
    {
        Assert.False(WakeClaimMessage.TryParse(Encoding.UTF8.GetBytes(json), out var claim, out var problem));
        Assert.Null(claim);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Theory]
    [InlineData("home/1", 150, "Home")]
    [InlineData("home-1", 0, "WindowMs")]
    [InlineData("home-1", 5000, "WindowMs")]
    public void Validate_WhenOptionsAreOutOfRange_ThenFailsNamingTheField(string home, int windowMs, string field)
    {
        var result = new HomeArbitrationOptionsValidator().Validate(Options.DefaultName, new HomeArbitrationOptions { Home = home, WindowMs = windowMs });

        Assert.True(result.Failed);
        Assert.Contains(field, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenHomeIsEmpty_ThenArbitrationIsOffAndValid()
    {
        var options = new HomeArbitrationOptions();

        Assert.True(new HomeArbitrationOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
        Assert.False(options.Enabled);
    }
}
