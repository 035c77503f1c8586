using System.Diagnostics;
using System.Security.Cryptography;
using StepAudio.Ops.Ota.Rauc;

namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>
/// A device made of files: two file-backed ext4 slots, RAUC's system.conf with a custom bootloader
/// backend script that keeps U-Boot-like state (primary, good/bad, attempts left) in files and logs
/// every request, a private D-Bus daemon and the real <c>rauc service</c> told which slot booted.
/// <see cref="PowerCycle"/> plays the bootloader: it picks the slot, spends an attempt and restarts RAUC.
/// </summary>
internal sealed class SimulatedDevice : IDisposable
{
    public const string Compatible = "stepaudio-edge-test";
    public const string FactoryVersion = "1.0.0";
    private const int AttemptsPerSlot = 3;
    private Process? _bus;
    private Process? _service;

    public SimulatedDevice(SigningAuthority authority, string factoryImage)
    {
        Root = Path.Combine(Path.GetTempPath(), "stepaudio-ota-" + Guid.NewGuid().ToString("N")[..12]);
        BootDirectory = Path.Combine(Root, "boot");
        Directory.CreateDirectory(BootDirectory);
        Directory.CreateDirectory(Path.Combine(Root, "mnt"));
        SlotA = Path.Combine(Root, "slot-a.img");
        SlotB = Path.Combine(Root, "slot-b.img");
        File.Copy(factoryImage, SlotA);
        using (var a = new FileStream(SlotA, FileMode.Open)) { a.SetLength(16L * 1024 * 1024); }
        using (var b = new FileStream(SlotB, FileMode.Create)) { b.SetLength(16L * 1024 * 1024); }
        KnownImages[Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(factoryImage)))] = FactoryVersion;
        WriteBackend();
        ConfigPath = Path.Combine(Root, "system.conf");
        File.WriteAllText(ConfigPath, $"""
            [system]
            compatible={Compatible}
            bootloader=custom
            statusfile={Root}/rauc.status
            mountprefix={Root}/mnt
            bundle-formats=plain verity

            [keyring]
            path={authority.CaCertificate}

            [handlers]
            bootloader-custom-backend={Root}/bootloader-backend.sh

            [slot.rootfs.0]
            device={SlotA}
            type=ext4
            bootname=A

            [slot.rootfs.1]
            device={SlotB}
            type=ext4
            bootname=B

            """);
        WriteBootFile("primary", "A");
        WriteBootFile("state.A", "good");
        WriteBootFile("attempts.A", AttemptsPerSlot.ToString());
        WriteBootFile("state.B", "bad");
        WriteBootFile("attempts.B", "0");
        BusAddress = $"unix:path={Root}/bus.sock";
        try
        {
            StartBus();
            PowerCycle();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root { get; }

    public string BootDirectory { get; }

    public string SlotA { get; }

    public string SlotB { get; }

    public string ConfigPath { get; }

    public string BusAddress { get; }

    /// <summary>sha256 of each root filesystem image this device may legitimately boot, with its version.</summary>
    public Dictionary<string, string> KnownImages { get; } = [];

    /// <summary>The bootname the bootloader started last.</summary>
    public string BootedSlot { get; private set; } = "A";

    /// <summary>Changes on every simulated boot.</summary>
    public string BootId { get; private set; } = Guid.NewGuid().ToString();

    public int Boots { get; private set; }

    public IReadOnlyDictionary<string, string> RaucEnvironment => new Dictionary<string, string>
    {
        ["DBUS_SESSION_BUS_ADDRESS"] = BusAddress,
        ["DBUS_STARTER_BUS_TYPE"] = "session",
    };

    public RaucCliOptions RaucOptions()
    {
        var options = new RaucCliOptions { ConfigPath = ConfigPath, CommandTimeout = TimeSpan.FromMinutes(2) };
        foreach (var (name, value) in RaucEnvironment)
        {
            options.Environment[name] = value;
        }

        return options;
    }

    /// <summary>Every request RAUC made of the bootloader, in order.</summary>
    public IReadOnlyList<string> BootloaderRequests() =>
        File.Exists(Path.Combine(Root, "bootloader.log")) ? File.ReadAllLines(Path.Combine(Root, "bootloader.log")) : [];

    public string ReadBootFile(string name) => File.ReadAllText(Path.Combine(BootDirectory, name)).Trim();

    /// <summary>Cuts the power (RAUC's service dies with everything else) and boots like U-Boot: primary first, then the other, each only while it is good with attempts left.</summary>
    public string PowerCycle()
    {
        StopService();
        var primary = ReadBootFile("primary");
        string? chosen = null;
        foreach (var slot in primary == "A" ? new[] { "A", "B" } : ["B", "A"])
        {
            var attempts = int.Parse(ReadBootFile($"attempts.{slot}"));
            if (ReadBootFile($"state.{slot}") == "good" && attempts > 0)
            {
                WriteBootFile($"attempts.{slot}", (attempts - 1).ToString());
                chosen = slot;
                break;
            }
        }

        BootedSlot = chosen ?? throw new InvalidOperationException("Neither slot is bootable: the device is bricked.");
        BootId = Guid.NewGuid().ToString();
        Boots++;
        StartService();
        return BootedSlot;
    }

    /// <summary>The version whose image is in the booted slot, or null when the slot holds something no bundle wrote.</summary>
    public string? BootedImageVersion()
    {
        var device = BootedSlot == "A" ? SlotA : SlotB;
        using var stream = File.OpenRead(device);
        var image = new byte[BundleFactory.ImageBytes];
        stream.ReadExactly(image);
        return KnownImages.GetValueOrDefault(Convert.ToHexStringLower(SHA256.HashData(image)));
    }

    public void Dispose()
    {
        StopService();
        if (_bus is { HasExited: false })
        {
            _bus.Kill();
            _bus.WaitForExit();
        }

        _bus?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A bundle mount RAUC left behind keeps the directory busy; /tmp is cleaned anyway.
        }
    }

    private void StartBus()
    {
        var config = Path.Combine(Root, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={Root}/bus.sock</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """);
        _bus = Process.Start(new ProcessStartInfo("dbus-daemon", ["--config-file=" + config, "--nofork", "--nopidfile"]) { UseShellExecute = false, RedirectStandardError = true })!;
        WaitFor(() => File.Exists(Path.Combine(Root, "bus.sock")), "the private D-Bus daemon");
    }

    private void StartService()
    {
        var start = new ProcessStartInfo("rauc", ["service", "--conf=" + ConfigPath, "--override-boot-slot=" + BootedSlot])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in RaucEnvironment)
        {
            start.Environment[name] = value;
        }

        _service = Process.Start(start)!;
        _service.OutputDataReceived += (_, _) => { };
        _service.ErrorDataReceived += (_, _) => { };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        WaitFor(() => Tool.TryRun("rauc", RaucEnvironment, "--conf=" + ConfigPath, "status", "--output-format=json").Code == 0, "rauc service");
    }

    private void StopService()
    {
        if (_service is null)
        {
            return;
        }

        if (!_service.HasExited)
        {
            _service.Kill();
            _service.WaitForExit();
        }

        _service.Dispose();
        _service = null;
        // A power cut also drops RAUC's bundle mount.
        var mount = Path.Combine(Root, "mnt", "bundle");
        if (Directory.Exists(mount))
        {
            Tool.TryRun("umount", null, "-l", mount);
        }
    }

    private static void WaitFor(Func<bool> ready, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"{what} did not come up within 10 s.");
            }

            Thread.Sleep(20);
        }
    }

    private void WriteBootFile(string name, string value) => File.WriteAllText(Path.Combine(BootDirectory, name), value + "\n");

    private void WriteBackend()
    {
        var script = Path.Combine(Root, "bootloader-backend.sh");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            # RAUC custom bootloader backend for tests: U-Boot-like state in files, every request logged.
            dir="{{BootDirectory}}"
            echo "$*" >> "{{Root}}/bootloader.log"
            case "$1" in
              get-primary) cat "$dir/primary" ;;
              set-primary) echo "$2" > "$dir/primary"; echo good > "$dir/state.$2"; echo {{AttemptsPerSlot}} > "$dir/attempts.$2" ;;
              get-state)
                if [ "$(cat "$dir/state.$2")" = good ] && [ "$(cat "$dir/attempts.$2")" -gt 0 ]; then echo good; else echo bad; fi ;;
              set-state)
                echo "$3" > "$dir/state.$2"
                if [ "$3" = good ]; then echo {{AttemptsPerSlot}} > "$dir/attempts.$2"; else echo 0 > "$dir/attempts.$2"; fi ;;
              *) echo "unsupported request: $*" >&2; exit 1 ;;
            esac
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }
}
