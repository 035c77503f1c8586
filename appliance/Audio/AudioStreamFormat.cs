namespace StepAudio.Appliance.Audio;

/// <summary>What a sound device agreed to: the parameters actually in force, which may differ from those asked for.</summary>
/// <param name="Device">The device name it was opened by.</param>
/// <param name="SampleFormat">The sample format on the wire (ALSA's name, e.g. S16_LE).</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Channels">Samples per frame.</param>
/// <param name="PeriodFrames">Frames the device moves per interrupt: the unit the audio loops read and write.</param>
/// <param name="BufferFrames">Frames the device buffers: how long the loop may stall before an xrun.</param>
public sealed record AudioStreamFormat(
    string Device, string SampleFormat, int SampleRate, int Channels, int PeriodFrames, int BufferFrames)
{
    public override string ToString() =>
        $"{Device}: {SampleFormat} {SampleRate} Hz x{Channels}, period {PeriodFrames}, buffer {BufferFrames}";
}
