namespace StepAudio.Engine.Conversation;

/// <summary>Where a prompt's audio came from, best first.</summary>
public enum PromptSource
{
    /// <summary>Rendered in the device's own voice (TTS + vocoder), now or in an earlier run (disk cache).</summary>
    OwnVoice,

    /// <summary>The clip bundled at publish time (espeak-ng).</summary>
    Bundled,

    /// <summary>A tone pattern synthesized on the device: nothing better exists yet.</summary>
    Earcon,
}

/// <summary>A prompt ready to play: mono samples in [-1, 1].</summary>
/// <param name="Samples">The audio.</param>
/// <param name="SampleRate">Its rate.</param>
/// <param name="Source">Where it came from.</param>
public sealed record PromptClip(float[] Samples, int SampleRate, PromptSource Source)
{
    /// <summary>Length in seconds.</summary>
    public double Seconds => Samples.Length / (double)SampleRate;
}

/// <summary>Speaks a text in the device's voice, into memory.</summary>
public interface IPromptRenderer
{
    /// <summary>
    /// What the audio depends on besides the text (voice and vocoder): part of the cache key, so a new
    /// voice or vocoder renders the prompts anew.
    /// </summary>
    string Identity { get; }

    /// <summary>Renders <paramref name="text"/>; returns the samples and their rate.</summary>
    Task<PromptClip> RenderAsync(string text, CancellationToken cancellationToken);
}
