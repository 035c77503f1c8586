using System.Security.Cryptography;
using System.Text.Json;
using StepAudio.Engine.Inference;
using Xunit;

namespace StepAudio.Engine.Tests.Inference;

public sealed class ExportManifestTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"stepaudio-manifest-{Guid.NewGuid():N}");

    public ExportManifestTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "vq02"));
        Directory.CreateDirectory(Path.Combine(_root, "vocoder", "v1"));
        File.WriteAllBytes(Path.Combine(_root, "vq02", "encoder.onnx"), [1, 2, 3, 4]);
        File.WriteAllBytes(Path.Combine(_root, "vocoder", "v1", "hift.onnx"), [5, 6, 7]);
        WriteManifest();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Verify_WhenTheFilesAreTheExportedOnes_ThenAccepts()
    {
        Assert.True(ExportManifest.Verify(_root, "vq02/"));
        Assert.True(ExportManifest.Verify(_root, "vocoder/v1/"));
    }

    [Fact]
    public void Verify_WhenThereIsNoManifest_ThenSaysSoWithoutChecking()
    {
        File.Delete(Path.Combine(_root, ExportManifest.FileName));

        Assert.False(ExportManifest.Verify(_root, "vq02/"));
    }

    [Fact]
    public void Verify_WhenAFileWasChangedInPlace_ThenRefusesItByName()
    {
        var path = Path.Combine(_root, "vq02", "encoder.onnx");
        Assert.True(ExportManifest.Verify(_root, "vq02/")); // hashed once, then changed with the same size
        File.WriteAllBytes(path, [1, 2, 3, 9]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));

        var ex = Assert.Throws<ModelContractException>(() => ExportManifest.Verify(_root, "vq02/"));

        Assert.Contains("encoder.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.True(ExportManifest.Verify(_root, "vocoder/v1/")); // the other part is still fine
    }

    [Fact]
    public void Verify_WhenAFileIsMissing_ThenTheSetIsIncomplete()
    {
        File.Delete(Path.Combine(_root, "vocoder", "v1", "hift.onnx"));

        var ex = Assert.Throws<ModelContractException>(() => ExportManifest.Verify(_root, "vocoder/v1/"));

        Assert.Contains("vocoder/v1/hift.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("incomplete", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WhenTheManifestIsBroken_ThenItIsNamed()
    {
        File.WriteAllText(Path.Combine(_root, ExportManifest.FileName), "{\"files\": {\"vq02/encoder.onnx\": {}}}");

        var ex = Assert.Throws<ModelContractException>(() => ExportManifest.Verify(_root, "vq02/"));

        Assert.Contains(ExportManifest.FileName, ex.Message, StringComparison.Ordinal);
    }

    private void WriteManifest()
    {
        var files = new Dictionary<string, object>();
        foreach (var relative in new[] { "vq02/encoder.onnx", "vocoder/v1/hift.onnx" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_root, relative));
            files[relative] = new { sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes = bytes.Length };
        }

        File.WriteAllText(Path.Combine(_root, ExportManifest.FileName), JsonSerializer.Serialize(new { format = 1, files }));
    }
}
