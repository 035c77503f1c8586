using System.Net.Sockets;
using System.Text;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// Plays systemd's part: a Unix datagram socket the service's NOTIFY_SOCKET points at, and the
/// lines it received, awaited with timeouts.
/// </summary>
internal sealed class ServiceManagerNotifications : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];

    public ServiceManagerNotifications()
    {
        SocketPath = Path.Combine(Path.GetTempPath(), $"stepaudio-notify-{Guid.NewGuid():N}.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    public string SocketPath { get; }

    public List<string> Received => _received;

    /// <summary>Receives lines until one satisfies <paramref name="match"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var count = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                foreach (var line in Encoding.UTF8.GetString(buffer, 0, count).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    _received.Add(line);
                    if (match(line))
                    {
                        return line;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching notification within {timeout}; received: [{string.Join(" | ", _received)}]");
        }
    }

    /// <summary>Every line received within <paramref name="window"/> (a bounded look for something that must not come).</summary>
    public async Task<List<string>> CollectAsync(TimeSpan window)
    {
        var lines = new List<string>();
        try
        {
            await WaitForAsync(line =>
            {
                lines.Add(line);
                return false;
            }, window);
        }
        catch (TimeoutException)
        {
            // The window is over.
        }

        return lines;
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(SocketPath);
    }
}
