using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Ota;
using StepAudio.Ops.Ota.State;
using StepAudio.Ops.Storage;

namespace StepAudio.Ops.Tests.Ota;

public sealed class OtaStateStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stepaudio-otastate-").FullName;

    [Fact]
    public void Load_WhenNothingWasSaved_IsIdle() =>
        Assert.Equal(OtaState.Idle, new OtaStateStore(_dir, NullLogger<OtaStateStore>.Instance).Load().State);

    [Fact]
    public void Save_ThenLoad_RoundTripsTheRecord()
    {
        var store = new OtaStateStore(_dir, NullLogger<OtaStateStore>.Instance);
        var job = new OtaJob("j", "1.2.0", new Uri("http://127.0.0.1/b.raucb"), 10, new string('a', 64), "c", DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var record = new OtaRecord { State = OtaState.HealthCheck, Job = job, TargetSlot = "rootfs.1", BootAttempts = 2, RebootPending = true };

        store.Save(record);

        Assert.Equal(record, store.Load());
        Assert.Contains("\"healthCheck\"", File.ReadAllText(store.FilePath), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Load_WhenPowerWasCutBeforeRename_KeepsPreviousRecordAndRemovesTemp()
    {
        var cut = false;
        var store = new OtaStateStore(_dir, NullLogger<OtaStateStore>.Instance, _ =>
        {
            if (cut)
            {
                throw new IOException("power cut");
            }
        });
        store.Save(new OtaRecord { State = OtaState.Verifying });
        cut = true;

        Assert.Throws<IOException>(() => store.Save(new OtaRecord { State = OtaState.Installing }));

        Assert.True(File.Exists(store.FilePath + AtomicFile.TempSuffix));
        Assert.Equal(OtaState.Verifying, store.Load().State);
        Assert.False(File.Exists(store.FilePath + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Load_WhenFileIsGarbage_ThrowsNamingTheFile()
    {
        var store = new OtaStateStore(_dir, NullLogger<OtaStateStore>.Instance);
        File.WriteAllText(store.FilePath, "{ not json");

        var error = Assert.Throws<OtaStateCorruptException>(() => store.Load());

        Assert.Contains(store.FilePath, error.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
