using StepAudio.Engine.Tools.Volume;

namespace StepAudio.Engine.Tests.Tools.Fakes;

/// <summary>A playback gain that remembers every value it was given.</summary>
internal sealed class FakeVolumeControl : IVolumeControl
{
    private float _volume = 1f;

    public List<float> History { get; } = [];

    public float Volume
    {
        get => _volume;
        set
        {
            _volume = value;
            History.Add(value);
        }
    }
}
