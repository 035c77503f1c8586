using System.Text;
using StepAudio.Ops.Ota;

namespace StepAudio.Ops.Tests.Ota;

public sealed class OtaJobJsonTests
{
    private const string Good = """
        {"jobId":"j-7","version":"1.4.0","url":"https://updates.example/b.raucb","size":1234,
         "sha256":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789","compatible":"stepaudio-edge-x64",
         "deadline":"2030-01-01T03:00:00Z","notBefore":"2030-01-01T01:00:00Z"}
        """;

    [Fact]
    public void Parse_WhenDocumentIsComplete_ReadsEveryFieldAndRoundTrips()
    {
        var job = OtaJobJson.Parse(Encoding.UTF8.GetBytes(Good));

        Assert.Equal(("j-7", "1.4.0", 1234L, "stepaudio-edge-x64", false), (job.JobId, job.Version, job.Size, job.Compatible, job.Downgrade));
        Assert.Equal("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", job.Sha256);
        Assert.Equal(DateTimeOffset.Parse("2030-01-01T01:00:00Z"), job.NotBefore);
        Assert.Equal(job, OtaJobJson.Parse(OtaJobJson.Serialize(job)));
    }

    [Theory]
    [InlineData("\"version\":\"1.4.0\"", "\"version\":\"one\"", "version")]
    [InlineData("\"size\":1234", "\"size\":-1", "size")]
    [InlineData("\"url\":\"https://updates.example/b.raucb\"", "\"url\":\"ftp://x/b\"", "url")]
    [InlineData("\"compatible\":\"stepaudio-edge-x64\",", "", "compatible")]
    [InlineData("\"sha256\":\"ABCDEF", "\"sha256\":\"XBCDEF", "sha256")]
    [InlineData("\"deadline\":\"2030-01-01T03:00:00Z\"", "\"deadline\":\"soon\"", "deadline")]
    [InlineData("\"notBefore\":\"2030-01-01T01:00:00Z\"", "\"notBefore\":\"2030-01-02T01:00:00Z\"", "notBefore")]
    public void Parse_WhenFieldIsWrong_NamesTheField(string original, string replacement, string field)
    {
        var error = Assert.Throws<OtaJobFormatException>(() => OtaJobJson.Parse(Encoding.UTF8.GetBytes(Good.Replace(original, replacement))));

        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message);
    }

    [Theory]
    [InlineData("1.2.0", "1.10.0", -1)]
    [InlineData("1.2", "1.2.0", 0)]
    [InlineData("2.0.0-rc.1", "2.0.0", -1)]
    [InlineData("2.0.0-rc.2", "2.0.0-rc.10", -1)]
    [InlineData("2.0.0+build7", "2.0.0", 0)]
    [InlineData("3.0.0", "2.9.9", 1)]
    public void CompareTo_OrdersVersionsNumerically(string a, string b, int expected)
    {
        Assert.True(OtaVersion.TryParse(a, out var left));
        Assert.True(OtaVersion.TryParse(b, out var right));

        Assert.Equal(expected, Math.Sign(left.CompareTo(right)));
    }
}
