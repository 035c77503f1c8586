using System.Security.Cryptography;
using System.Text;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// A stand-in <c>rauc</c> executable for host tests on a box without A/B slots: a shell script
/// that keeps two slots' versions, the booted slot and the primary in files, answers
/// <c>info</c>, <c>install</c>, <c>status</c> and the marks in RAUC's JSON, and logs every call.
/// A "bundle" is a file whose first lines say <c>compatible=</c> and <c>version=</c>; one without
/// them is refused as RAUC refuses a bad signature. Marking a slot bad makes the other one primary, as
/// RAUC's bootloader backends do; <see cref="Reboot"/> plays the bootloader and starts the primary.
/// </summary>
internal sealed class FakeRauc
{
    public const string Compatible = "stepaudio-edge-test";

    public FakeRauc(string directory, string factoryVersion)
    {
        Directory = directory;
        State = Path.Combine(directory, "state");
        System.IO.Directory.CreateDirectory(State);
        Write("compatible", Compatible);
        Write("booted", "A");
        Write("primary", "rootfs.0");
        Write("version.0", factoryVersion);
        Write("version.1", string.Empty);
        File.WriteAllText(Path.Combine(State, "log"), string.Empty);
        ConfigPath = Path.Combine(directory, "system.conf");
        File.WriteAllText(ConfigPath, $"[system]\ncompatible={Compatible}\nbootloader=custom\n");
        Executable = Path.Combine(directory, "rauc");
        File.WriteAllText(Executable, Script.Replace("@STATE@", State, StringComparison.Ordinal));
        File.SetUnixFileMode(Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory { get; }

    public string State { get; }

    public string Executable { get; }

    public string ConfigPath { get; }

    /// <summary>Every call, one line each, arguments as given.</summary>
    public IReadOnlyList<string> Calls => File.ReadAllLines(Path.Combine(State, "log"));

    public string Booted => Read("booted");

    /// <summary>Boots the primary slot.</summary>
    public void Reboot() => Write("booted", Read("primary") == "rootfs.1" ? "B" : "A");

    /// <summary>Writes a bundle of about <paramref name="bytes"/> bytes; returns its size and sha256.</summary>
    public static (long Size, string Sha256) WriteBundle(string path, string version, string compatible = Compatible, int bytes = 256 * 1024)
    {
        var header = Encoding.ASCII.GetBytes($"compatible={compatible}\nversion={version}\n");
        var content = new byte[Math.Max(bytes, header.Length)];
        RandomNumberGenerator.Fill(content.AsSpan(header.Length));
        for (var i = header.Length; i < content.Length; i++)
        {
            // Printable filler, so the script's sed reads the header lines only.
            content[i] = (byte)('a' + (content[i] % 26));
        }

        header.CopyTo(content, 0);
        File.WriteAllBytes(path, content);
        return (content.Length, Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    private string Read(string name) => File.ReadAllText(Path.Combine(State, name)).Trim();

    private void Write(string name, string value) => File.WriteAllText(Path.Combine(State, name), value + "\n");

    private const string Script = """
        #!/bin/sh
        d="@STATE@"
        echo "$*" >> "$d/log"
        while [ $# -gt 0 ]; do
          case "$1" in --conf=*|--keyring=*) shift ;; *) break ;; esac
        done
        cmd="$1"; shift
        slot() {
          state=inactive
          [ "$(cat "$d/booted")" = "$2" ] && state=booted
          printf '{"%s":{"class":"rootfs","bootname":"%s","state":"%s","boot_status":"good","slot_status":{"status":"ok","bundle":{"version":"%s"}}}}' \
            "$1" "$2" "$state" "$(cat "$d/version.$3")"
        }
        resolve() {
          if [ "$1" != booted ]; then echo "$1"; elif [ "$(cat "$d/booted")" = B ]; then echo rootfs.1; else echo rootfs.0; fi
        }
        bundle_field() { head -c 256 "$1" | sed -n "s/^$2=//p" | head -1; }
        case "$cmd" in
          info)
            for a in "$@"; do case "$a" in --*) ;; *) b="$a" ;; esac; done
            v=$(bundle_field "$b" version); c=$(bundle_field "$b" compatible)
            [ -n "$v" ] || { echo "signature verification failed: not a bundle" >&2; exit 1; }
            printf '{"compatible":"%s","version":"%s","images":[{"rootfs":{"filename":"rootfs.ext4"}}]}\n' "$c" "$v" ;;
          install)
            t=1; [ "$(cat "$d/booted")" = B ] && t=0
            bundle_field "$1" version > "$d/version.$t"
            echo "rootfs.$t" > "$d/primary" ;;
          status)
            case "$1" in
              mark-good) echo "$1 $2" >> "$d/marks" ;;
              mark-bad)
                echo "$1 $2" >> "$d/marks"
                if [ "$(resolve "$2")" = rootfs.1 ]; then echo rootfs.0 > "$d/primary"; else echo rootfs.1 > "$d/primary"; fi ;;
              mark-active) echo "$1 $2" >> "$d/marks"; resolve "$2" > "$d/primary" ;;
              *) printf '{"compatible":"%s","booted":"%s","boot_primary":"%s","slots":[%s,%s]}\n' \
                   "$(cat "$d/compatible")" "$(cat "$d/booted")" "$(cat "$d/primary")" "$(slot rootfs.0 A 0)" "$(slot rootfs.1 B 1)" ;;
            esac ;;
          *) echo "fake rauc: unsupported command '$cmd'" >&2; exit 2 ;;
        esac
        """;
}
