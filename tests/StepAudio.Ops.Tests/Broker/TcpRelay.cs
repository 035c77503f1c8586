using System.Net;
using System.Net.Sockets;

namespace StepAudio.Ops.Tests.Broker;

/// <summary>
/// A loopback TCP relay between the link and the broker, so a test can cut the connection abruptly (RST, no MQTT
/// DISCONNECT) the way a pulled cable or a crashed device looks to the broker.
/// </summary>
internal sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly List<Socket> _sockets = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();

    public TcpRelay(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>While set, new connections are accepted and closed at once, as if the broker were down.</summary>
    public bool Refusing { get; set; }

    /// <summary>Resets every relayed connection at once.</summary>
    public void DropAll()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _sockets.Clear();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        DropAll();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptSocketAsync(_stop.Token);
                if (Refusing)
                {
                    inbound.LingerState = new LingerOption(true, 0);
                    inbound.Close();
                    continue;
                }

                var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                }
                catch (SocketException)
                {
                    inbound.Close();
                    outbound.Close();
                    continue;
                }

                lock (_gate)
                {
                    _sockets.Add(inbound);
                    _sockets.Add(outbound);
                }

                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
