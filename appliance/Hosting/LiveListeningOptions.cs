using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Endpointing;
using StepAudio.Engine.Pipeline.Listening;
using StepAudio.Engine.WakeWord;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// The wake word and endpointing settings a fleet may change while the device runs: each change
/// reaches the running loop as a new snapshot, and the audio loop never restarts for it.
/// </summary>
internal sealed partial class LiveListeningOptions(
    IOptionsMonitor<WakeWordOptions> wakeWord, IOptionsMonitor<EndpointingOptions> endpointing, ILogger<LiveListeningOptions> logger)
{
    /// <summary>Applies every later change to <paramref name="loop"/> until the result is disposed.</summary>
    public IDisposable Follow(ListeningLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        void Apply()
        {
            loop.UpdateOptions(wakeWord.CurrentValue, endpointing.CurrentValue);
            Log.OptionsApplied(logger);
        }

        return new Subscriptions(wakeWord.OnChange(_ => Apply()), endpointing.OnChange(_ => Apply()));
    }

    private sealed class Subscriptions(IDisposable? first, IDisposable? second) : IDisposable
    {
        public void Dispose()
        {
            first?.Dispose();
            second?.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "New wake word and endpointing settings applied to the running loop")]
        public static partial void OptionsApplied(ILogger logger);
    }
}
