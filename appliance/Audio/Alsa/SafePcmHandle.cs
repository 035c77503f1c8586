using System.Runtime.InteropServices;

namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>An open snd_pcm_t; closing it releases the device even if the owner forgets to.</summary>
internal sealed class SafePcmHandle : SafeHandle
{
    public SafePcmHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle() => LibAsound.PcmClose(handle) >= 0;
}
