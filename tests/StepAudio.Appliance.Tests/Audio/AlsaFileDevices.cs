using System.Runtime.InteropServices;

namespace StepAudio.Appliance.Tests.Audio;

/// <summary>
/// Test PCMs built on libasound's <c>file</c> plugin over a <c>null</c> slave, so the real libasound paths run without a
/// sound card. libasound reads ALSA_CONFIG_PATH when it first loads its configuration, from the C environment, which
/// .NET's Environment.SetEnvironmentVariable does not touch; so it is set with libc's setenv before any test opens a PCM.
/// The PCMs take the file path as an argument, so every test uses its own files.
/// </summary>
/// <remarks>
/// What the file plugin does, as measured with alsa-lib 1.2.8: it runs as fast as it is called (the null slave is not
/// paced by a clock), so it cannot overrun by itself. Capture copies its raw <c>infile</c> into each read; past the end
/// of the file snd_pcm_readi still reports whole periods but leaves the caller's buffer untouched. Playback appends what
/// is written, in the negotiated format, to <c>file</c> (truncated at open) and honours snd_pcm_rewind up to a buffer.
/// </remarks>
public sealed partial class AlsaFileDevices : IDisposable
{
    public const string CapturePcm = "stepaudio_test_capture";
    public const string PlaybackPcm = "stepaudio_test_playback";
    public const string ListedPcm = "stepaudio_test_sink";
    public const string ListedDescription = "StepAudio test sink";

    private static readonly Lock Gate = new();
    private static bool s_configured;

    public AlsaFileDevices()
    {
        Directory = Path.Combine(Path.GetTempPath(), "stepaudio-alsa-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Configure();
    }

    /// <summary>A scratch folder for this test class's raw files.</summary>
    public string Directory { get; }

    public string NewPath(string name) => Path.Combine(Directory, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    /// <summary>A capture PCM that reads <paramref name="rawPath"/> (raw samples in the format the test negotiates).</summary>
    public static string CaptureDevice(string rawPath) => $"{CapturePcm}:'{rawPath}'";

    /// <summary>A playback PCM that writes raw samples to <paramref name="rawPath"/>.</summary>
    public static string PlaybackDevice(string rawPath) => $"{PlaybackPcm}:'{rawPath}'";

    /// <summary>
    /// Makes <paramref name="path"/> appear with all of <paramref name="bytes"/> at once (written beside it, then renamed),
    /// for a device that is reopened while the test creates its file: libasound never sees it empty or half written.
    /// </summary>
    public static async Task PublishAsync(string path, byte[] bytes)
    {
        var partial = path + ".partial";
        await File.WriteAllBytesAsync(partial, bytes);
        File.Move(partial, path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A PCM still open in a failing test may hold a file; the temp folder is cleaned by the OS later.
        }
    }

    private static void Configure()
    {
        lock (Gate)
        {
            if (s_configured)
            {
                return;
            }

            var path = Path.Combine(Path.GetTempPath(), $"stepaudio-alsa-test-{Environment.ProcessId}.conf");
            File.WriteAllText(path, $$"""
                pcm.{{CapturePcm}} {
                  @args [ INFILE ]
                  @args.INFILE { type string }
                  type file
                  slave.pcm null
                  file "/dev/null"
                  infile $INFILE
                  format raw
                }
                pcm.{{PlaybackPcm}} {
                  @args [ FILE ]
                  @args.FILE { type string }
                  type file
                  slave.pcm null
                  file $FILE
                  format raw
                }
                pcm.{{ListedPcm}} {
                  type null
                  hint { show on description "{{ListedDescription}}" }
                }
                """);
            if (SetEnv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:" + path, 1) != 0)
            {
                throw new InvalidOperationException("setenv(ALSA_CONFIG_PATH) failed.");
            }

            s_configured = true;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}

/// <summary>Every test that opens a PCM belongs here: one configuration, and no two tests racing libasound's config load.</summary>
[CollectionDefinition(Name)]
public sealed class AlsaTestGroup : ICollectionFixture<AlsaFileDevices>
{
    public const string Name = "ALSA file plugin";
}
