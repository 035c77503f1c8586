using System.Diagnostics.CodeAnalysis;

namespace StepAudio.Engine.Audio;

/// <summary>How samples are stored in a WAV file's data chunk.</summary>
public enum WavSampleFormat
{
    /// <summary>Signed 16-bit integer PCM.</summary>
    Pcm16,

    /// <summary>Signed 24-bit integer PCM, three bytes per sample.</summary>
    Pcm24,

    /// <summary>Signed 32-bit integer PCM.</summary>
    Pcm32,

    /// <summary>IEEE 754 32-bit float.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Float32 is the name of the WAV sample format, not a type reference.")]
    Float32,
}
