namespace StepAudio.Appliance.Audio.Alsa;

/// <summary>The interleaved sample formats the appliance negotiates with a PCM (values are snd_pcm_format_t).</summary>
public enum AlsaSampleFormat
{
    /// <summary>Signed 16-bit little-endian (SND_PCM_FORMAT_S16_LE).</summary>
    S16Le = 2,

    /// <summary>Signed 32-bit little-endian (SND_PCM_FORMAT_S32_LE); 24-bit codecs deliver their samples in the top bits.</summary>
    S32Le = 10,

    /// <summary>32-bit IEEE float little-endian, full scale +-1 (SND_PCM_FORMAT_FLOAT_LE).</summary>
    FloatLe = 14,
}

internal static class AlsaSampleFormatExtensions
{
    public static int BytesPerSample(this AlsaSampleFormat format) => format == AlsaSampleFormat.S16Le ? 2 : 4;

    /// <summary>The name ALSA prints for the format (arecord -f, the file plugin's %f).</summary>
    public static string AlsaName(this AlsaSampleFormat format) => format switch
    {
        AlsaSampleFormat.S16Le => "S16_LE",
        AlsaSampleFormat.S32Le => "S32_LE",
        AlsaSampleFormat.FloatLe => "FLOAT_LE",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a supported ALSA sample format."),
    };
}
