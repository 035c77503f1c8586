using System.Net;
using System.Net.Sockets;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// An HTTP server on loopback that answers every request with one status and body: a bundle
/// file server (200 and the bundle's bytes) or a failing GPU server (503).
/// </summary>
internal sealed class FixedHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _body;
    private readonly int _status;
    private readonly Task _serving;
    private int _requests;

    public FixedHttpServer(byte[] body, int status = 200)
    {
        _body = body;
        _status = status;
        Port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add(BaseAddress.AbsoluteUri);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Requests => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            using var response = context.Response;
            response.StatusCode = _status;
            response.ContentLength64 = _body.Length;
            try
            {
                await response.OutputStream.WriteAsync(_body);
            }
            catch (HttpListenerException)
            {
                // The client went away.
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
