namespace StepAudio.Engine.Tools.Volume;

/// <summary>The playback gain the volume tool turns (the appliance's speaker, a test fake).</summary>
public interface IVolumeControl
{
    /// <summary>Gain from 0 (silent) to 1 (full), applied live.</summary>
    float Volume { get; set; }
}
