namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>Opens PCMs through libasound and negotiates interleaved access, format, channels, rate, period and buffer.</summary>
internal sealed class AlsaPcmOpener : IPcmOpener
{
    public static AlsaPcmOpener Instance { get; } = new();

    public IPcmDevice Open(PcmRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var err = LibAsound.PcmOpen(out var handle, request.Device, (int)request.Direction, 0);
        if (err < 0)
        {
            handle.Dispose();
            throw AlsaException.CallFailed(request.Device, $"opening for {request.Direction.ToString().ToLowerInvariant()}", err);
        }

        try
        {
            var format = Negotiate(handle, request);
            return new AlsaPcmDevice(handle, format, request.SampleFormat);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static AudioStreamFormat Negotiate(SafePcmHandle pcm, PcmRequest request)
    {
        var device = request.Device;
        Check(LibAsound.HwParamsMalloc(out var hw), device, "allocating hardware parameters");
        try
        {
            Check(LibAsound.HwParamsAny(pcm, hw), device, "reading its hardware parameters");
            Check(LibAsound.HwParamsSetAccess(pcm, hw, LibAsound.AccessRwInterleaved), device, "setting interleaved read/write access");

            var err = LibAsound.HwParamsSetFormat(pcm, hw, (int)request.SampleFormat);
            if (err < 0)
            {
                throw AlsaException.Unsupported(
                    device, $"sample format {request.SampleFormat.AlsaName()} is not supported; it takes {SupportedFormats(pcm, hw)}.", err);
            }

            err = LibAsound.HwParamsSetChannels(pcm, hw, (uint)request.Channels);
            if (err < 0)
            {
                LibAsound.HwParamsGetChannelsMin(hw, out var min);
                LibAsound.HwParamsGetChannelsMax(hw, out var max);
                throw AlsaException.Unsupported(device, $"{request.Channels} channels are not supported; it takes {min} to {max}.", err);
            }

            var rate = (uint)request.SampleRate;
            var direction = 0;
            Check(LibAsound.HwParamsSetRateNear(pcm, hw, ref rate, ref direction), device, $"setting a rate near {request.SampleRate} Hz");

            var period = (nuint)request.PeriodFrames;
            direction = 0;
            Check(LibAsound.HwParamsSetPeriodSizeNear(pcm, hw, ref period, ref direction), device, $"setting a period near {request.PeriodFrames} frames");

            var buffer = (nuint)request.BufferFrames;
            Check(LibAsound.HwParamsSetBufferSizeNear(pcm, hw, ref buffer), device, $"setting a buffer near {request.BufferFrames} frames");

            Check(LibAsound.HwParamsApply(pcm, hw), device, "applying hardware parameters");

            Check(LibAsound.HwParamsGetRate(hw, out rate, out _), device, "reading the rate");
            Check(LibAsound.HwParamsGetChannels(hw, out var channels), device, "reading the channels");
            Check(LibAsound.HwParamsGetPeriodSize(hw, out period, out _), device, "reading the period size");
            Check(LibAsound.HwParamsGetBufferSize(hw, out buffer), device, "reading the buffer size");

            var format = new AudioStreamFormat(
                device, request.SampleFormat.AlsaName(), (int)rate, (int)channels, (int)period, (int)buffer);
            ApplySoftwareParameters(pcm, request, format);
            return format;
        }
        finally
        {
            LibAsound.HwParamsFree(hw);
        }
    }

    private static void ApplySoftwareParameters(SafePcmHandle pcm, PcmRequest request, AudioStreamFormat format)
    {
        var device = request.Device;
        Check(LibAsound.SwParamsMalloc(out var sw), device, "allocating software parameters");
        try
        {
            Check(LibAsound.SwParamsCurrent(pcm, sw), device, "reading software parameters");

            // Capture starts on the first read. Playback starts once half the buffer is queued: early enough that a
            // reply starts quickly, late enough that a vocoder chunk arriving a little late does not underrun at once.
            var start = request.Direction == PcmDirection.Capture
                ? 1
                : Math.Max(format.PeriodFrames, format.BufferFrames / 2);
            Check(LibAsound.SwParamsSetStartThreshold(pcm, sw, (nuint)start), device, "setting the start threshold");
            Check(LibAsound.SwParamsSetAvailMin(pcm, sw, (nuint)format.PeriodFrames), device, "setting the wake-up level");
            Check(LibAsound.SwParamsApply(pcm, sw), device, "applying software parameters");
        }
        finally
        {
            LibAsound.SwParamsFree(sw);
        }
    }

    private static string SupportedFormats(SafePcmHandle pcm, nint hw)
    {
        var names = new List<string>(3);
        foreach (var candidate in Enum.GetValues<AlsaSampleFormat>())
        {
            if (LibAsound.HwParamsTestFormat(pcm, hw, (int)candidate) == 0)
            {
                names.Add(candidate.AlsaName());
            }
        }

        return names.Count == 0 ? "none of S16_LE, S32_LE, FLOAT_LE" : string.Join(", ", names);
    }

    private static void Check(int result, string device, string operation)
    {
        if (result < 0)
        {
            throw AlsaException.CallFailed(device, operation, result);
        }
    }
}
