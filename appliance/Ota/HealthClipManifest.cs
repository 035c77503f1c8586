using System.Globalization;
using System.Text.Json;

namespace StepAudio.Appliance.Ota;

/// <summary>The health clip's manifest cannot be used; the message names the file and the field.</summary>
public sealed class HealthManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HealthManifestException(string path, string field, string problem)
        : base($"health manifest {path}: field '{field}' {problem}")
    {
    }

    /// <summary>Creates the exception.</summary>
    public HealthManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public HealthManifestException()
        : base("The health manifest cannot be used.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public HealthManifestException(string message)
        : base(message)
    {
    }
}

/// <summary>An inclusive range of numbers.</summary>
/// <param name="Min">Least value.</param>
/// <param name="Max">Greatest value.</param>
public readonly record struct ExpectedRange(double Min, double Max)
{
    /// <summary>True when <paramref name="value"/> lies inside.</summary>
    public bool Contains(double value) => value >= Min && value <= Max;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Min:0.#}..{Max:0.#}");
}

/// <summary>
/// What the known clip bundled in the image must produce, read from its JSON manifest:
/// <c>{"clip": "health-clip.wav", "keyword": "hey_jarvis", "speechStartMs": {"min", "max"},
/// "endOfTurnMs": {"min", "max"}, "tokenGroups": {"min", "max"}, "tokens": "&lt;audio_..&gt;..."}</c>.
/// The clip path is relative to the manifest; the time windows and <c>tokens</c> (the exact string
/// a build produced for the clip) are optional, the keyword and the token-group range are not.
/// </summary>
/// <param name="ClipPath">The WAV (16 kHz mono), absolute.</param>
/// <param name="Keyword">The wake word the clip must wake.</param>
/// <param name="SpeechStartMs">Where speech must start, ms into the clip.</param>
/// <param name="EndOfTurnMs">Where the end of the turn must be found, ms into the clip.</param>
/// <param name="TokenGroups">How many complete token groups the turn must give.</param>
/// <param name="Tokens">The exact token string, when the manifest pins one.</param>
public sealed record HealthClipManifest(
    string ClipPath,
    string Keyword,
    ExpectedRange? SpeechStartMs,
    ExpectedRange? EndOfTurnMs,
    ExpectedRange TokenGroups,
    string? Tokens)
{
    /// <summary>Reads and checks a manifest; throws <see cref="HealthManifestException"/> naming the file and field.</summary>
    public static HealthClipManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new HealthManifestException($"health manifest {path} is missing: the image was built without its health clip (deploy.sh image writes it).");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new HealthManifestException($"health manifest {path} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new HealthManifestException(path, "(document)", "must be a JSON object.");
            }

            var clip = RequiredString(root, "clip", path);
            var clipPath = Path.GetFullPath(clip, Path.GetDirectoryName(Path.GetFullPath(path))!);
            var keyword = RequiredString(root, "keyword", path);
            var groups = Range(root, "tokenGroups", path) ?? throw new HealthManifestException(path, "tokenGroups", "is required ({\"min\": n, \"max\": m}).");
            string? tokens = null;
            if (root.TryGetProperty("tokens", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                tokens = t.ValueKind == JsonValueKind.String && t.GetString()!.Length > 0
                    ? t.GetString()
                    : throw new HealthManifestException(path, "tokens", "must be a non-empty string of <audio_n> tokens.");
            }

            return new HealthClipManifest(clipPath, keyword, Range(root, "speechStartMs", path), Range(root, "endOfTurnMs", path), groups, tokens);
        }
    }

    /// <summary>Every way <paramref name="seen"/> differs from this manifest; empty when it matches.</summary>
    public IReadOnlyList<string> Differences(ClipObservation seen)
    {
        ArgumentNullException.ThrowIfNull(seen);
        var differences = new List<string>();
        if (seen.Keyword is null)
        {
            differences.Add($"no wake word was detected (expected {Keyword})");
            return differences;
        }

        if (seen.Keyword != Keyword)
        {
            differences.Add($"woke on '{seen.Keyword}', expected '{Keyword}'");
        }

        if (seen.SpeechStartMs is not { } start)
        {
            differences.Add("no speech start after the wake word");
        }
        else if (SpeechStartMs is { } expectedStart && !expectedStart.Contains(start))
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"speech started at {start:0} ms, expected {expectedStart} ms"));
        }

        if (seen.EndOfTurnMs is not { } end)
        {
            differences.Add(seen.NoSpeech ? "the turn ended with no speech" : "no end of turn");
        }
        else if (EndOfTurnMs is { } expectedEnd && !expectedEnd.Contains(end))
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"the turn ended at {end:0} ms, expected {expectedEnd} ms"));
        }

        if (!TokenGroups.Contains(seen.TokenGroups))
        {
            differences.Add($"{seen.TokenGroups} token groups, expected {TokenGroups}");
        }

        if (Tokens is not null && seen.Tokens != Tokens)
        {
            differences.Add($"the token string differs from the manifest's at character {FirstDifference(Tokens, seen.Tokens ?? string.Empty)}");
        }

        return differences;
    }

    private static int FirstDifference(string expected, string actual)
    {
        var length = Math.Min(expected.Length, actual.Length);
        for (var i = 0; i < length; i++)
        {
            if (expected[i] != actual[i])
            {
                return i;
            }
        }

        return length;
    }

    private static string RequiredString(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new HealthManifestException(path, name, "is required and must be a non-empty string.");

    private static ExpectedRange? Range(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("min", out var min) || !min.TryGetDouble(out var low)
            || !value.TryGetProperty("max", out var max) || !max.TryGetDouble(out var high))
        {
            throw new HealthManifestException(path, name, "must be an object with numbers min and max.");
        }

        return low <= high ? new ExpectedRange(low, high) : throw new HealthManifestException(path, name, $"has min {low} above max {high}.");
    }
}

/// <summary>What one run of the health clip through the listening pipeline gave.</summary>
/// <param name="Keyword">The wake word heard, or null.</param>
/// <param name="WakeAtMs">Where it was heard.</param>
/// <param name="SpeechStartMs">Where speech started after the wake.</param>
/// <param name="EndOfTurnMs">Where the turn ended.</param>
/// <param name="NoSpeech">The turn ended without speech.</param>
/// <param name="TokenGroups">Complete token groups of the turn.</param>
/// <param name="Tokens">The turn's token string.</param>
public sealed record ClipObservation(string? Keyword, double? WakeAtMs, double? SpeechStartMs, double? EndOfTurnMs, bool NoSpeech, int TokenGroups, string? Tokens)
{
    /// <summary>One line for logs and status messages.</summary>
    public string Describe() => Keyword is null
        ? "no wake word"
        : string.Create(CultureInfo.InvariantCulture, $"{Keyword} at {WakeAtMs:0} ms, speech from {SpeechStartMs:0} ms to {EndOfTurnMs:0} ms, {TokenGroups} token groups");
}
