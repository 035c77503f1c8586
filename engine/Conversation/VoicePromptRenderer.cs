using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tts;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Conversation;

/// <summary>
/// Renders a prompt the way a reply is spoken: the TTS model on the GPU server turns the text into
/// audio ids in the device's voice, and the local streaming vocoder turns them into PCM, here collected
/// in memory rather than played.
/// </summary>
public sealed class VoicePromptRenderer : IPromptRenderer
{
    private readonly GpuServerClient _client;
    private readonly TtsPromptBuilder _prompts;
    private readonly StreamingVocoder _vocoder;
    private readonly SpeakerVoice _voice;

    /// <param name="client">The GPU-server link (TTS).</param>
    /// <param name="prompts">Builds the TTS prompt ids.</param>
    /// <param name="vocoder">The device's vocoder.</param>
    /// <param name="voice">The voice replies are spoken in.</param>
    /// <param name="vocoderFingerprint">What identifies the vocoder's model files (e.g. names, sizes and times): a new vocoder renders anew.</param>
    public VoicePromptRenderer(GpuServerClient client, TtsPromptBuilder prompts, StreamingVocoder vocoder, SpeakerVoice voice, string vocoderFingerprint)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(vocoder);
        ArgumentNullException.ThrowIfNull(voice);
        ArgumentNullException.ThrowIfNull(vocoderFingerprint);
        _client = client;
        _prompts = prompts;
        _vocoder = vocoder;
        _voice = voice;
        Identity = IdentityOf(voice, vocoder.Profile.Name, vocoder.SampleRate, vocoderFingerprint);
    }

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public async Task<PromptClip> RenderAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var sentence = ControlTagParser.Apply(text, null, _voice.DefaultStyle).Text;
        var promptIds = await _prompts.BuildAsync(_voice.SystemText, _voice.PromptText, _voice.PromptAudioIds, sentence, cancellationToken).ConfigureAwait(false);
        using var session = _vocoder.StartSession(_voice.VocoderPrompt);
        var samples = new List<float>(_vocoder.SampleRate * 3);
        await foreach (var pcm in session.SynthesizeAsync(_client.StreamTtsAsync(promptIds, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            samples.AddRange(pcm.Span);
        }

        return new PromptClip([.. samples], _vocoder.SampleRate, PromptSource.OwnVoice);
    }

    /// <summary>
    /// The names, sizes and modification times of the files in <paramref name="directory"/> (a vocoder
    /// profile): cheap to compute at start, and it changes when the operator installs other models.
    /// </summary>
    public static string FingerprintDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            return "(missing)";
        }

        var files = Directory.GetFiles(directory);
        Array.Sort(files, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(info.Name).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks).Append(';');
        }

        return text.ToString();
    }

    /// <summary>A short hash of everything besides the text that shapes the rendered audio.</summary>
    public static string IdentityOf(SpeakerVoice voice, string vocoderProfile, int sampleRate, string vocoderFingerprint)
    {
        ArgumentNullException.ThrowIfNull(voice);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{voice.SystemText}\n{voice.PromptText}\n{voice.DefaultStyle}\n{vocoderProfile}\n{sampleRate}\n{vocoderFingerprint}\n"));
        hash.AppendData(MemoryMarshal.AsBytes(voice.PromptAudioIds.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(voice.VocoderPrompt.Embedding.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 12));
    }
}
