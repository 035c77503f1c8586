using System.Diagnostics.Metrics;

namespace StepAudio.Appliance.Audio;

/// <summary>The sound devices' instruments on the <c>StepAudio.Audio</c> meter, shared by capture and playback.</summary>
public sealed class AudioMetrics : IDisposable
{
    public const string MeterName = "StepAudio.Audio";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _xruns;
    private readonly Counter<long> _reopens;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a private meter when none is given.</summary>
    public AudioMetrics(IMeterFactory? meterFactory = null)
    {
        Meter meter;
        if (meterFactory is null)
        {
            _ownedMeter = new Meter(MeterName);
            meter = _ownedMeter;
        }
        else
        {
            meter = meterFactory.Create(MeterName);
        }

        _xruns = meter.CreateCounter<long>(
            "stepaudio.audio.xruns", "{xrun}", "Capture overruns and playback underruns recovered with snd_pcm_recover.");
        _reopens = meter.CreateCounter<long>(
            "stepaudio.audio.reopens", "{reopen}", "Times a failed sound device was opened again.");
    }

    internal void RecordXrun(string direction, string device) =>
        _xruns.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("device", device));

    internal void RecordReopen(string direction, string device) =>
        _reopens.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("device", device));

    public void Dispose() => _ownedMeter?.Dispose();
}
