using StepAudio.Appliance.Hosting;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>A listening loop whose frame count moves on each look (audio flowing), or never (a deaf device).</summary>
internal sealed class AdvancingHeartbeat(bool flowing = true) : IAudioHeartbeat
{
    private long _frames = 1;

    public long FramesProcessed => flowing ? Interlocked.Increment(ref _frames) : _frames;
}
