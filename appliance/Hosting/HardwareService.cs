using System.Device.Gpio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hardware.LedRing;
using StepAudio.Appliance.Tools;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// The buttons: mute toggles the capture gate (and the ring shows it), a long press of action
/// starts a turn without the wake word. Runs only when <see cref="HostingOptions.Buttons"/> is set.
/// </summary>
internal sealed partial class HardwareService(
    IOptions<ButtonOptions> buttonOptions,
    MuteGate mute,
    IConversationControl conversation,
    ILoggerFactory loggers,
    OptionalLedRing ring,
    ApplianceTools? tools = null) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<HardwareService>();
    private ButtonMonitor? _buttons;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _buttons = new ButtonMonitor(new GpioController(), buttonOptions.Value, mute, logger: loggers.CreateLogger<ButtonMonitor>());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException)
        {
            // No GPIO chip (or no permission): the speaker still works, without buttons.
            Log.ButtonsUnavailable(_logger, ex.Message);
            return Task.CompletedTask;
        }

        var leds = ring.Controller;
        _buttons.MuteChanged += muted => leds?.SetState(muted ? DeviceLedState.Muted : DeviceLedState.Idle);
        _buttons.ActionLongPressed += () => conversation.RequestTurn();
        _buttons.ActionPressed += () => tools?.Timers.StopRinging("action_button");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _buttons?.Dispose();
        _buttons = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _buttons?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3030, Level = LogLevel.Warning, Message = "Buttons are configured but GPIO is unavailable: {Reason}")]
        public static partial void ButtonsUnavailable(ILogger logger, string reason);
    }
}
