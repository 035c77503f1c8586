using System.Text;
using StepAudio.Ops.Config;
using StepAudio.Ops.Tests.Fakes;

namespace StepAudio.Ops.Tests.Config;

public sealed class DesiredConfigStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stepaudio-store-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static DesiredConfigDocument Document(long version, int volume)
    {
        Assert.True(DesiredConfigDocument.TryParse(Encoding.UTF8.GetBytes($$$$"""{"version": {{{{version}}}}, "settings": {"Audio": {"Volume": {{{{volume}}}}}}}"""), out var document, out _));
        return document!;
    }

    [Fact]
    public void Save_WhenLoadedBack_ThenSameVersionSettingsAndTime()
    {
        var store = new DesiredConfigStore(_directory);
        var acceptedAt = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

        store.Save(new PersistedDesiredConfig(12, acceptedAt, Document(12, 33)));

        Assert.True(new DesiredConfigStore(_directory).TryLoad(out var loaded));
        Assert.Equal(12, loaded!.Version);
        Assert.Equal(acceptedAt, loaded.AcceptedAt);
        Assert.Equal("33", loaded.Document.Settings["Audio:Volume"]);
        Assert.False(File.Exists(store.TempPath));
    }

    [Fact]
    public void TryLoad_WhenTornTempFileLeftByCrash_ThenIgnoredRemovedAndLastGoodLoaded()
    {
        var logs = new RecordingLoggerFactory();
        var store = new DesiredConfigStore(_directory, new Microsoft.Extensions.Logging.Logger<DesiredConfigStore>(logs));
        store.Save(new PersistedDesiredConfig(3, DateTimeOffset.UnixEpoch, Document(3, 20)));
        File.WriteAllText(store.TempPath, """{"version": 4, "acceptedAt": "2025-06-01T00:00:00Z", "settings": {"Audio": {"Vo""");

        Assert.True(store.TryLoad(out var loaded));

        Assert.Equal(3, loaded!.Version);
        Assert.False(File.Exists(store.TempPath));
        Assert.Contains(logs.Records, r => r.EventId.Id == 2300 && r.Message.Contains(store.TempPath, StringComparison.Ordinal));
    }

    [Fact]
    public void TryLoad_WhenNothingPersisted_ThenFalse()
    {
        Assert.False(new DesiredConfigStore(_directory).TryLoad(out var loaded));
        Assert.Null(loaded);
    }

    [Fact]
    public void TryLoad_WhenFileCorrupt_ThenFalseWithReasonLogged()
    {
        var logs = new RecordingLoggerFactory();
        var store = new DesiredConfigStore(_directory, new Microsoft.Extensions.Logging.Logger<DesiredConfigStore>(logs));
        Directory.CreateDirectory(_directory);
        File.WriteAllText(store.FilePath, "{\"version\": 3,");

        Assert.False(store.TryLoad(out _));

        Assert.Contains(logs.Records, r => r.EventId.Id == 2301 && r.Message.Contains(store.FilePath, StringComparison.Ordinal));
    }
}
