using StepAudio.Appliance.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tools.Volume;

namespace StepAudio.Appliance.Tools;

/// <summary>
/// The volume tool's gain: the speaker's live <see cref="IAudioPlayback.Volume"/> when the output
/// is a speaker; otherwise (a WAV file, a recorder) the level is only remembered.
/// </summary>
internal sealed class PlaybackVolume(IAudioOutput output) : IVolumeControl
{
    private float _detached = 1f;

    public float Volume
    {
        get => output is IAudioPlayback playback ? playback.Volume : _detached;
        set
        {
            float gain = Math.Clamp(value, 0f, 1f);
            if (output is IAudioPlayback playback)
            {
                playback.Volume = gain;
            }
            else
            {
                _detached = gain;
            }
        }
    }
}
