using System.Runtime.InteropServices;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>A PCM libasound knows by name: what <c>aplay -L</c> / <c>arecord -L</c> list.</summary>
/// <param name="Name">The name to put in the options (e.g. <c>hw:CARD=Array,DEV=0</c>).</param>
/// <param name="Description">libasound's description, lines joined with " / "; may be empty.</param>
/// <param name="CanCapture">Usable for capture.</param>
/// <param name="CanPlay">Usable for playback.</param>
public sealed record AlsaDeviceInfo(string Name, string Description, bool CanCapture, bool CanPlay);

/// <summary>Lists the PCMs libasound's configuration and the sound cards define.</summary>
public static class AlsaDevices
{
    /// <summary>Every PCM hint on every card, in libasound's order.</summary>
    /// <exception cref="AlsaException">libasound could not read its configuration.</exception>
    public static IReadOnlyList<AlsaDeviceInfo> List()
    {
        var err = LibAsound.DeviceNameHint(-1, "pcm", out var hints);
        if (err < 0)
        {
            throw AlsaException.CallFailed("*", "listing PCM devices", err);
        }

        var devices = new List<AlsaDeviceInfo>();
        try
        {
            // A NULL-terminated array of opaque hint pointers.
            for (var i = 0; ; i++)
            {
                var hint = Marshal.ReadIntPtr(hints, i * nint.Size);
                if (hint == nint.Zero)
                {
                    break;
                }

                var name = TakeHint(hint, "NAME");
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                var description = (TakeHint(hint, "DESC") ?? string.Empty).Replace("\n", " / ", StringComparison.Ordinal);

                // IOID is "Input", "Output", or absent for both.
                var io = TakeHint(hint, "IOID");
                devices.Add(new AlsaDeviceInfo(name, description, CanCapture: io is null or "Input", CanPlay: io is null or "Output"));
            }
        }
        finally
        {
            // It only frees memory; there is nothing to do if it reports failure.
            _ = LibAsound.DeviceNameFreeHint(hints);
        }

        return devices;
    }

    private static unsafe string? TakeHint(nint hint, string id)
    {
        var value = LibAsound.DeviceNameGetHint(hint, id);
        if (value == nint.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(value);
        }
        finally
        {
            // libasound hands back strdup'd text; NativeMemory.Free is the C runtime's free.
            NativeMemory.Free((void*)value);
        }
    }
}
