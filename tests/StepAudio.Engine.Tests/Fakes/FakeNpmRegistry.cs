using System.Formats.Tar;
using System.IO.Compression;
using System.Net;

namespace StepAudio.Engine.Tests.Fakes;

/// <summary>An in-memory npm registry: serves package tarballs built in the test, counts requests.</summary>
internal sealed class FakeNpmRegistry : HttpMessageHandler
{
    private readonly Dictionary<string, byte[]> _tarballs = new(StringComparer.Ordinal);

    public int Requests { get; private set; }

    public void AddPackage(string package, string version, IReadOnlyDictionary<string, byte[]> files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(content) };
                tar.WriteEntry(entry);
            }
        }

        _tarballs[$"/{package}/-/{package}-{version}.tgz"] = buffer.ToArray();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        var path = request.RequestUri!.AbsolutePath;
        var response = _tarballs.TryGetValue(path, out var body)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) }
            : new HttpResponseMessage(HttpStatusCode.NotFound);
        return Task.FromResult(response);
    }
}
