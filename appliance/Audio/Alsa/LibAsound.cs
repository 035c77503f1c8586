using System.Runtime.InteropServices;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>
/// The slice of libasound's PCM API the appliance uses. Signatures follow alsa-lib's asoundlib.h for LP64 Linux:
/// snd_pcm_uframes_t is unsigned long (nuint) and snd_pcm_sframes_t is long (nint).
/// </summary>
internal static unsafe partial class LibAsound
{
    private const string Library = "libasound.so.2";

    internal const int StreamPlayback = 0;
    internal const int StreamCapture = 1;
    internal const int AccessRwInterleaved = 3;

    internal const int StateOpen = 0;
    internal const int StateSetup = 1;
    internal const int StatePrepared = 2;
    internal const int StateRunning = 3;
    internal const int StateXrun = 4;

    static LibAsound()
    {
        // libasound prints every failed lookup of its configuration ("ALSA lib confmisc.c:855:(parse_card) cannot find
        // card '0'") to stderr, which ends up in the journal and in 'diagnose' as noise. Each failure also comes back to
        // us as an error code, which the callers report with snd_strerror and the device name, so the lines are dropped.
        // It only fails for a handler it cannot store, which a function pointer never is; then the lines just stay.
        _ = SetErrorHandler(&IgnoreError);
    }

    [LibraryImport(Library, EntryPoint = "snd_lib_error_set_handler")]
    private static partial int SetErrorHandler(delegate* unmanaged[Cdecl]<nint, int, nint, int, nint, void> handler);

    /// <summary>
    /// libasound's handler is variadic (<c>file, line, function, err, fmt, ...</c>); on the LP64 Linux ABIs a callee that
    /// declares only the fixed arguments receives them in the same registers and never reads the rest.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void IgnoreError(nint file, int line, nint function, int error, nint format)
    {
    }

    [LibraryImport(Library, EntryPoint = "snd_pcm_open", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int PcmOpen(out SafePcmHandle pcm, string name, int stream, int mode);

    [LibraryImport(Library, EntryPoint = "snd_pcm_close")]
    internal static partial int PcmClose(nint pcm);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_malloc")]
    internal static partial int HwParamsMalloc(out nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_free")]
    internal static partial void HwParamsFree(nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_any")]
    internal static partial int HwParamsAny(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_set_access")]
    internal static partial int HwParamsSetAccess(SafePcmHandle pcm, nint parameters, int access);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_set_format")]
    internal static partial int HwParamsSetFormat(SafePcmHandle pcm, nint parameters, int format);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_test_format")]
    internal static partial int HwParamsTestFormat(SafePcmHandle pcm, nint parameters, int format);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_set_channels")]
    internal static partial int HwParamsSetChannels(SafePcmHandle pcm, nint parameters, uint channels);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_set_rate_near")]
    internal static partial int HwParamsSetRateNear(SafePcmHandle pcm, nint parameters, ref uint rate, ref int direction);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_set_period_size_near")]
    internal static partial int HwParamsSetPeriodSizeNear(SafePcmHandle pcm, nint parameters, ref nuint frames, ref int direction);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_set_buffer_size_near")]
    internal static partial int HwParamsSetBufferSizeNear(SafePcmHandle pcm, nint parameters, ref nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params")]
    internal static partial int HwParamsApply(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_channels_min")]
    internal static partial int HwParamsGetChannelsMin(nint parameters, out uint channels);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_channels_max")]
    internal static partial int HwParamsGetChannelsMax(nint parameters, out uint channels);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_channels")]
    internal static partial int HwParamsGetChannels(nint parameters, out uint channels);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_format")]
    internal static partial int HwParamsGetFormat(nint parameters, out int format);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_rate")]
    internal static partial int HwParamsGetRate(nint parameters, out uint rate, out int direction);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_period_size")]
    internal static partial int HwParamsGetPeriodSize(nint parameters, out nuint frames, out int direction);

    [LibraryImport(Library, EntryPoint = "snd_pcm_hw_params_get_buffer_size")]
    internal static partial int HwParamsGetBufferSize(nint parameters, out nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_pcm_sw_params_malloc")]
    internal static partial int SwParamsMalloc(out nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_sw_params_free")]
    internal static partial void SwParamsFree(nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_sw_params_current")]
    internal static partial int SwParamsCurrent(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_sw_params_set_start_threshold")]
    internal static partial int SwParamsSetStartThreshold(SafePcmHandle pcm, nint parameters, nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_pcm_sw_params_set_avail_min")]
    internal static partial int SwParamsSetAvailMin(SafePcmHandle pcm, nint parameters, nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_pcm_sw_params")]
    internal static partial int SwParamsApply(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library, EntryPoint = "snd_pcm_prepare")]
    internal static partial int PcmPrepare(SafePcmHandle pcm);

    [LibraryImport(Library, EntryPoint = "snd_pcm_readi")]
    internal static partial nint PcmReadInterleaved(SafePcmHandle pcm, byte* buffer, nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_pcm_writei")]
    internal static partial nint PcmWriteInterleaved(SafePcmHandle pcm, byte* buffer, nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_pcm_recover")]
    internal static partial int PcmRecover(SafePcmHandle pcm, int error, int silent);

    [LibraryImport(Library, EntryPoint = "snd_pcm_drain")]
    internal static partial int PcmDrain(SafePcmHandle pcm);

    [LibraryImport(Library, EntryPoint = "snd_pcm_drop")]
    internal static partial int PcmDrop(SafePcmHandle pcm);

    [LibraryImport(Library, EntryPoint = "snd_pcm_state")]
    internal static partial int PcmState(SafePcmHandle pcm);

    [LibraryImport(Library, EntryPoint = "snd_pcm_rewindable")]
    internal static partial nint PcmRewindable(SafePcmHandle pcm);

    [LibraryImport(Library, EntryPoint = "snd_pcm_rewind")]
    internal static partial nint PcmRewind(SafePcmHandle pcm, nuint frames);

    [LibraryImport(Library, EntryPoint = "snd_strerror")]
    private static partial nint StrErrorNative(int error);

    [LibraryImport(Library, EntryPoint = "snd_device_name_hint", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int DeviceNameHint(int card, string iface, out nint hints);

    /// <summary>Returns a malloc'd string (or null) that the caller frees with free().</summary>
    [LibraryImport(Library, EntryPoint = "snd_device_name_get_hint", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint DeviceNameGetHint(nint hint, string id);

    [LibraryImport(Library, EntryPoint = "snd_device_name_free_hint")]
    internal static partial int DeviceNameFreeHint(nint hints);

    /// <summary>libasound's text for a negative error code (its own codes and errno values).</summary>
    internal static string StrError(int error) => Marshal.PtrToStringUTF8(StrErrorNative(error)) ?? $"error {error}";
}
