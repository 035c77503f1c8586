using System.Diagnostics;
using System.Text.Json.Nodes;
using StepAudio.Engine.Audio;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Ota;

/// <summary>Health clips and manifests in a test directory, laid out as deploy.sh image lays them out.</summary>
internal static class HealthClips
{
    /// <summary>"hey jarvis" then "what time is it", as the image's clip says it.</summary>
    public static float[] WakeAndQuestion() => SpeechClips.Concat(
        SpeechClips.Silence(500),
        SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
        SpeechClips.Silence(300),
        SpeechClips.Synthesize("what time is it"),
        SpeechClips.Silence(1500));

    /// <summary>The question without the wake word.</summary>
    public static float[] QuestionOnly() => SpeechClips.Concat(
        SpeechClips.Silence(500),
        SpeechClips.Synthesize("what time is it"),
        SpeechClips.Silence(1500));

    /// <summary>Writes the clip and a manifest beside it; returns the manifest's path.</summary>
    public static string Write(string directory, float[] clip, string? tokens = null, string keyword = "hey_jarvis", double minGroups = 5, double maxGroups = 80)
    {
        Directory.CreateDirectory(directory);
        WavFile.Write(Path.Combine(directory, "health-clip.wav"), clip, 16000, 1);
        var manifest = new JsonObject
        {
            ["clip"] = "health-clip.wav",
            ["keyword"] = keyword,
            ["speechStartMs"] = new JsonObject { ["min"] = 0, ["max"] = clip.Length / 16.0 },
            ["endOfTurnMs"] = new JsonObject { ["min"] = 0, ["max"] = (clip.Length / 16.0) + 6000 },
            ["tokenGroups"] = new JsonObject { ["min"] = minGroups, ["max"] = maxGroups },
        };
        if (tokens is not null)
        {
            manifest["tokens"] = tokens;
        }

        var path = Path.Combine(directory, "health-clip.json");
        File.WriteAllText(path, manifest.ToJsonString());
        return path;
    }

    /// <summary>Runs deploy.sh's own <c>write_health_clip</c> (what <c>deploy.sh image</c> puts in the image) into <paramref name="directory"/>; returns the manifest.</summary>
    public static string WriteAsTheImageDoes(string directory)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "deploy.sh")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("deploy.sh not found above " + AppContext.BaseDirectory);
        }

        // Only the clip's function (and die) is taken from the script, so nothing else of deploy.sh runs.
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", "set -euo pipefail; eval \"$(sed -n '/^die()/p; /^write_health_clip()/,/^}/p' deploy.sh)\"; write_health_clip \"$1\"", "_", directory })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy.sh write_health_clip failed ({process.ExitCode}): {error}");
        }

        return Path.Combine(directory, "health-clip.json");
    }
}
