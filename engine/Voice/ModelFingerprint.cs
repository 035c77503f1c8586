using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>
/// A short identity of the model files whose output a cached speaker prompt depends on: each file's
/// path relative to its root, its length and its last write time. Hashing whole models (hundreds of
/// MB) at every start would cost more than recomputing the prompt; a replaced model (an OTA update, a
/// copy) gets a new write time, so the identity errs towards a rebuild, never towards a stale entry.
/// </summary>
public static class ModelFingerprint
{
    /// <summary>The identity of <paramref name="relativePaths"/> under <paramref name="root"/> (missing files count as such).</summary>
    public static string Of(string root, IEnumerable<string> relativePaths)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(relativePaths);
        var text = new StringBuilder();
        foreach (var relative in relativePaths.Order(StringComparer.Ordinal))
        {
            var file = new FileInfo(Path.Combine(root, relative));
            text.Append(relative.Replace('\\', '/')).Append('|');
            text.Append(file.Exists
                ? string.Create(CultureInfo.InvariantCulture, $"{file.Length}|{file.LastWriteTimeUtc.Ticks}")
                : "missing");
            text.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The tokenizer's models: every file under <c>vq02/</c> and <c>vq06/</c> (engine/models/CONTRACT.md).</summary>
    public static string OfTokenizer(TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<string>();
        foreach (var part in (string[])["vq02", "vq06"])
        {
            var directory = Path.Combine(options.ModelDirectory, part);
            if (Directory.Exists(directory))
            {
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                {
                    files.Add(Path.GetRelativePath(options.ModelDirectory, file));
                }
            }
        }

        return "tokenizer:" + Of(options.ModelDirectory, files);
    }

    /// <summary>
    /// What of a vocoder profile shapes a prompt: its <c>vocoder.json</c> (sample rate, hop) and
    /// <c>campplus.onnx</c> (the embedding).
    /// </summary>
    public static string OfVocoder(VocoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var profile = Path.Combine("vocoder", options.Profile);
        return "vocoder:" + Of(options.ModelDirectory, [Path.Combine(profile, VocoderProfile.FileName), Path.Combine(profile, VocoderModels.CampPlusFile)]);
    }
}
