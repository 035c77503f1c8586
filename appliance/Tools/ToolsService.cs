using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.State;
using StepAudio.Engine.Tools.Timers;

namespace StepAudio.Appliance.Tools;

/// <summary>
/// Brings the tools up with the service, whatever the GPU server does: restores the volume, starts
/// the timers (ringing those that fell due while off), shows a ringing timer on the LED ring and in
/// the pipeline's events, and stops the ring when the user mutes.
/// </summary>
internal sealed partial class ToolsService(
    ApplianceTools tools,
    IEnumerable<IPipelineEventSink> sinks,
    MuteGate mute,
    OptionalLedRing ring,
    IConversationControl conversation,
    ILogger<ToolsService> logger) : IHostedService
{
    private readonly IPipelineEventSink[] _sinks = [.. sinks];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            tools.Volume.Restore();
        }
        catch (ToolStateException ex)
        {
            // A damaged volume file must not silence the speaker: the configured level holds until the next change.
            Log.VolumeUnreadable(logger, ex.Message);
            tools.Volume.Set(tools.Options.Volume.Initial);
        }

        tools.Timers.TimerRang += OnTimerRang;
        tools.Timers.TimerMissed += OnTimerMissed;
        tools.Timers.RingingStopped += OnRingingStopped;
        mute.MutedChanged += OnMuteChanged;
        tools.Timers.Start();
        Log.Started(logger, tools.StateDirectory, tools.Volume.Percent, tools.Timers.List().Count, string.Join(", ", tools.Runner.Definitions.Names));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        mute.MutedChanged -= OnMuteChanged;
        tools.Timers.StopRinging("shutdown");
        await tools.Timers.RingTask.WaitAsync(cancellationToken);
        tools.Timers.TimerRang -= OnTimerRang;
        tools.Timers.TimerMissed -= OnTimerMissed;
        tools.Timers.RingingStopped -= OnRingingStopped;
    }

    private void OnMuteChanged(bool muted)
    {
        if (muted)
        {
            tools.Timers.StopRinging("mute");
        }
    }

    private void OnTimerRang(object? sender, TimerEventArgs e)
    {
        ring.Controller?.SetState(DeviceLedState.TimerRinging);
        Publish(new TimerRang(Now(), e.Timer.Id, e.Timer.Label));
    }

    private void OnTimerMissed(object? sender, TimerEventArgs e) =>
        Publish(new TimerMissed(Now(), e.Timer.Id, e.Timer.Label, e.Timer.DueAt));

    private void OnRingingStopped(object? sender, RingingStoppedEventArgs e)
    {
        if (ring.Controller is { State: DeviceLedState.TimerRinging } leds)
        {
            leds.SetState(mute.IsMuted ? DeviceLedState.Muted : DeviceLedState.Idle);
        }

        Publish(new TimerRingingStopped(Now(), e.Reason));
    }

    // Timers live outside any turn: the event is placed at the current point of the input audio.
    private double Now() => conversation.NowMs;

    private void Publish(PipelineEvent pipelineEvent)
    {
        foreach (var sink in _sinks)
        {
            sink.OnEvent(pipelineEvent);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Tools ready: state in {Directory}, volume {Volume}%, {Timers} timer(s) running, offered: {Tools}")]
        public static partial void Started(ILogger logger, string directory, int volume, int timers, string tools);

        [LoggerMessage(EventId = 3602, Level = LogLevel.Warning, Message = "The stored volume is unreadable ({Reason}); using the configured initial level")]
        public static partial void VolumeUnreadable(ILogger logger, string reason);
    }
}

/// <summary>The wake word stops a ringing timer (the pipeline's wake event; the action button's turn is one too).</summary>
internal sealed class RingStopSink(ApplianceTools tools) : IPipelineEventSink
{
    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        if (pipelineEvent is WakeDetected)
        {
            tools.Timers.StopRinging("wake_word");
        }
    }
}
