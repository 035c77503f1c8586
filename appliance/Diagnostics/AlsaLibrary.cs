namespace StepAudio.Appliance.Diagnostics;

/// <summary>What to say when libasound itself is absent (a DllNotFoundException on the first ALSA call).</summary>
internal static class AlsaLibrary
{
    public const string MissingMessage = "libasound.so.2 could not be loaded: the ALSA library is not installed (apt install libasound2).";
}
