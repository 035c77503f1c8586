using Microsoft.Extensions.Hosting.Systemd;

namespace StepAudio.Appliance.Hosting;

/// <summary>What the audio loop reports so the watchdog can tell progress from a wedge.</summary>
internal interface IAudioHeartbeat
{
    /// <summary>Frames the listening loop has processed since start; grows while audio flows.</summary>
    long FramesProcessed { get; }
}

/// <summary>A notifier for when no supervisor listens (run by hand, or in file mode): says nothing.</summary>
internal sealed class SilentNotifier : ISystemdNotifier
{
    public bool IsEnabled => false;

    public void Notify(ServiceState state)
    {
    }
}

/// <summary>The service-manager lines this appliance sends besides READY and STOPPING.</summary>
internal static class ServiceStates
{
    public static readonly ServiceState Watchdog = new("WATCHDOG=1");

    public static ServiceState Status(string text) => new($"STATUS={text}");
}
