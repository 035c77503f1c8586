using System.Security.Cryptography;
using System.Text;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Storage;

namespace StepAudio.Engine.Conversation;

/// <summary>
/// Rendered prompts on disk, one 32-bit float WAV per prompt, named by a hash of the text and the
/// renderer's identity (voice and vocoder): a changed text, voice or vocoder simply misses. Replaced through
/// an <see cref="IAtomicFileWriter"/>, so a power cut never leaves half a clip that would later play as one.
/// </summary>
internal sealed class OfflinePromptCache
{
    private readonly string _directory;
    private readonly IAtomicFileWriter _writer;

    public OfflinePromptCache(string directory, IAtomicFileWriter writer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(writer);
        _directory = directory;
        _writer = writer;
    }

    /// <summary>The directory the clips live in.</summary>
    public string Directory => _directory;

    /// <summary>The file a clip for <paramref name="text"/> and <paramref name="identity"/> is kept in.</summary>
    public string PathOf(string text, string identity)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(identity);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity + "\n" + text));
        return Path.Combine(_directory, Convert.ToHexStringLower(hash.AsSpan(0, 16)) + ".wav");
    }

    /// <summary>The cached clip, when there is a readable one.</summary>
    /// <exception cref="WavFormatException">The file exists but is not a usable WAV (the caller renders anew).</exception>
    public bool TryLoad(string text, string identity, out PromptClip? clip)
    {
        var path = PathOf(text, identity);
        if (!File.Exists(path))
        {
            clip = null;
            return false;
        }

        var wav = WavFile.Read(path);
        clip = new PromptClip(wav.Samples, wav.SampleRate, PromptSource.OwnVoice);
        return wav.Samples.Length > 0;
    }

    /// <summary>Stores <paramref name="clip"/> atomically.</summary>
    public void Save(string text, string identity, PromptClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        System.IO.Directory.CreateDirectory(_directory);
        var path = PathOf(text, identity);
        using var wav = new MemoryStream();
        WavFile.Write(wav, clip.Samples, clip.SampleRate, 1, WavSampleFormat.Float32);
        _writer.Replace(path, wav.GetBuffer().AsSpan(0, (int)wav.Length));
    }
}
