using System.Net;
using System.Net.Sockets;

namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>
/// The stand-in file server: serves files on 127.0.0.1 with <c>Range</c> support, and on request
/// drops the connection after a number of bytes, flips a byte in what it sends, or ignores Range.
/// It counts every byte it sends, so tests can measure the resume overhead.
/// </summary>
internal sealed class BundleFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, string> _files = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _bytesSent;

    public BundleFileServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>Drops the next connections after this many bytes of the body, one entry per connection.</summary>
    public Queue<long> DropAfter { get; } = new();

    /// <summary>Flips one byte at this file offset in everything it sends.</summary>
    public long? CorruptOffset { get; set; }

    /// <summary>Answers 200 with the whole file even when asked for a range.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Called with the body offset reached after every chunk (the crash tests kill the agent from here).</summary>
    public Action<long>? OnProgress { get; set; }

    /// <summary>Sends this many bytes per write and pauses between writes, so a download is slow enough to interrupt.</summary>
    public int ChunkBytes { get; set; } = 64 * 1024;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public List<string> RangeRequests { get; } = [];

    public Uri Publish(string path)
    {
        var name = Path.GetFileName(path);
        lock (_files)
        {
            _files[name] = path;
        }

        return new Uri($"http://127.0.0.1:{Port}/bundles/{name}");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener is closing.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            string? path;
            lock (_files)
            {
                path = _files.GetValueOrDefault(Path.GetFileName(context.Request.Url!.AbsolutePath));
            }

            if (path is null)
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            var data = await File.ReadAllBytesAsync(path);
            var start = 0L;
            var range = context.Request.Headers["Range"];
            lock (RangeRequests)
            {
                RangeRequests.Add(range ?? "(none)");
            }

            if (range is not null && !IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            {
                start = long.Parse(range["bytes=".Length..^1]);
                if (start >= data.Length)
                {
                    response.StatusCode = 416;
                    response.AddHeader("Content-Range", $"bytes */{data.Length}");
                    response.Close();
                    return;
                }

                response.StatusCode = 206;
                response.AddHeader("Content-Range", $"bytes {start}-{data.Length - 1}/{data.Length}");
            }

            response.ContentLength64 = data.Length - start;
            response.AddHeader("Accept-Ranges", "bytes");
            long? dropAfter = null;
            lock (DropAfter)
            {
                if (DropAfter.Count > 0)
                {
                    dropAfter = DropAfter.Dequeue();
                }
            }

            if (CorruptOffset is { } corrupt && corrupt < data.Length)
            {
                data[corrupt] ^= 0x5A;
            }

            var offset = start;
            var sentHere = 0L;
            while (offset < data.Length)
            {
                var count = (int)Math.Min(ChunkBytes, data.Length - offset);
                if (dropAfter is { } limit && sentHere + count > limit)
                {
                    count = (int)(limit - sentHere);
                    await response.OutputStream.WriteAsync(data.AsMemory((int)offset, count));
                    await response.OutputStream.FlushAsync();
                    Interlocked.Add(ref _bytesSent, count);
                    response.Abort();
                    return;
                }

                await response.OutputStream.WriteAsync(data.AsMemory((int)offset, count));
                await response.OutputStream.FlushAsync();
                Interlocked.Add(ref _bytesSent, count);
                offset += count;
                sentHere += count;
                OnProgress?.Invoke(offset);
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (the agent was killed): nothing to answer.
            response.Abort();
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
