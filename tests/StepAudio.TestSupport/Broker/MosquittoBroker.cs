using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepAudio.TestSupport.Broker;

/// <summary>
/// A real Mosquitto on loopback for one test, from a generated configuration:
/// <list type="bullet">
/// <item>a plain listener and a TLS listener (<c>require_certificate true</c>, client certificates from the test CA);</item>
/// <item>a password file for every user; on the TLS listener the client must present a certificate issued by the fleet
/// CA <em>and</em> log in with user name and password (<c>use_identity_as_username false</c>): the certificate proves
/// the device belongs to the fleet, the user name decides what it may touch;</item>
/// <item>an ACL: the <c>fleet</c> user reads and writes all of <c>stepaudio/#</c>; every other user (a device, whose user
/// name is its device id) only <c>stepaudio/testfleet/&lt;its user name&gt;/#</c> (<c>%u</c>, so a device cannot borrow
/// another's subtree by choosing its client id);</item>
/// <item>per-device <c>user</c> blocks granting each device its home's arbitration topic
/// (<c>stepaudio/testfleet/homes/&lt;home&gt;/arbitration</c>) and no other: Mosquitto's patterns only know the user
/// name and client id, so the broker learns a device's home from the block written for that device;</item>
/// <item>with <c>saveEveryChange</c>, persistence written after every change, so sessions, subscriptions and queued
/// messages survive <see cref="Kill"/> (it slows the broker down to a few hundred messages a second).</item>
/// </list>
/// Readiness is Mosquitto's own "running" log line, never a sleep.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    public const string Fleet = "testfleet";
    public const string FleetUser = "fleet";
    public const string FleetPassword = "fleet-secret";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string _directory;
    private readonly string _configFile;
    private Process? _process;

    public MosquittoBroker(bool saveEveryChange = false)
    {
        var certificates = TestCertificates.Instance;
        _directory = Path.Combine(Path.GetTempPath(), "stepaudio-mosquitto-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        Port = FreePort();
        TlsPort = FreePort();

        var passwords = Path.Combine(_directory, "passwd");
        File.WriteAllText(passwords, string.Empty);
        foreach (var (user, password) in Users)
        {
            ToolRunner.Run("mosquitto_passwd", "-b", passwords, user, password);
        }

        var acl = Path.Combine(_directory, "acl");
        File.WriteAllText(acl, AclText());

        _configFile = Path.Combine(_directory, "mosquitto.conf");
        File.WriteAllText(_configFile, new StringBuilder()
            .AppendLine("per_listener_settings false")
            .AppendLine("allow_anonymous false")
            .AppendLine("user root")
            .AppendLine($"password_file {passwords}")
            .AppendLine($"acl_file {acl}")
            .AppendLine("persistence true")
            .AppendLine($"persistence_location {_directory}/")
            .AppendLine($"autosave_on_changes {(saveEveryChange ? "true" : "false")}")
            .AppendLine($"autosave_interval {(saveEveryChange ? 1 : 1800)}")
            .AppendLine("log_dest stderr")
            .AppendLine("log_type error")
            .AppendLine("log_type warning")
            .AppendLine("log_type notice")
            .AppendLine("log_type information")
            .AppendLine($"listener {Port} 127.0.0.1")
            .AppendLine($"listener {TlsPort} 127.0.0.1")
            .AppendLine($"cafile {certificates.CaFile}")
            .AppendLine($"certfile {certificates.ServerCertificate}")
            .AppendLine($"keyfile {certificates.ServerKey}")
            .AppendLine("require_certificate true")
            .AppendLine("use_identity_as_username false")
            .ToString());
        Start();
    }

    /// <summary>Every user in the password file: the fleet operator and the devices.</summary>
    public static IReadOnlyList<(string User, string Password)> Users { get; } =
    [
        (FleetUser, FleetPassword),
        ("device-a", "secret-a"),
        ("device-b", "secret-b"),
        ("device-c", "secret-c"),
        ("device-d", "secret-d"),
    ];

    /// <summary>The home of each device: a, b and c share a home; d lives elsewhere.</summary>
    public static IReadOnlyDictionary<string, string> Homes { get; } = new Dictionary<string, string>
    {
        ["device-a"] = "home-1",
        ["device-b"] = "home-1",
        ["device-c"] = "home-1",
        ["device-d"] = "home-2",
    };

    /// <summary>The arbitration topic of <paramref name="home"/>, as the devices use it.</summary>
    public static string ArbitrationTopic(string home) => $"stepaudio/{Fleet}/homes/{home}/arbitration";

    /// <summary>
    /// The ACL: the operator reads and writes everything; each device its own subtree (pattern on <c>%u</c>) plus its
    /// home's arbitration topic (a <c>user</c> block per device). Patterns apply to every user whatever block they stand in.
    /// </summary>
    private static string AclText()
    {
        var acl = new StringBuilder()
            .AppendLine($"user {FleetUser}")
            .AppendLine("topic readwrite stepaudio/#")
            .AppendLine();
        foreach (var (device, home) in Homes)
        {
            acl.AppendLine($"user {device}").AppendLine($"topic readwrite {ArbitrationTopic(home)}").AppendLine();
        }

        return acl.AppendLine($"pattern readwrite stepaudio/{Fleet}/%u/#").ToString();
    }

    public int Port { get; }

    public int TlsPort { get; }

    public static string PasswordOf(string user) => Users.First(u => u.User == user).Password;

    /// <summary>Everything the broker logged so far, for failure messages.</summary>
    public string Log { get; private set; } = string.Empty;

    /// <summary>Kills the broker without warning (SIGKILL): no will, no goodbye, no save beyond what autosave wrote.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>Starts the broker again on the same ports; with <paramref name="forgetState"/> its saved sessions and retained messages are gone.</summary>
    public void Restart(bool forgetState = false)
    {
        Kill();
        _process?.Dispose();
        if (forgetState)
        {
            File.Delete(Path.Combine(_directory, "mosquitto.db"));
        }

        Start();
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private void Start()
    {
        var start = new ProcessStartInfo("mosquitto")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_configFile);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StringBuilder();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                "Mosquitto is not installed: the fleet tests run against a real broker. Install it with 'apt-get install -y mosquitto'.", ex);
        }

        process.EnableRaisingEvents = true;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
                Log = log.ToString();
            }

            if (e.Data.Contains(" running", StringComparison.Ordinal))
            {
                running.TrySetResult();
            }
        };
        process.Exited += (_, _) => running.TrySetException(new InvalidOperationException($"mosquitto exited early: {Log}"));
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        try
        {
            running.Task.Wait(StartTimeout);
        }
        catch (AggregateException ex)
        {
            throw ex.InnerException!;
        }

        if (!running.Task.IsCompleted)
        {
            throw new TimeoutException($"mosquitto did not report 'running' within {StartTimeout.TotalSeconds} s: {Log}");
        }

        using var probe = new TcpClient();
        probe.Connect(IPAddress.Loopback, Port);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
