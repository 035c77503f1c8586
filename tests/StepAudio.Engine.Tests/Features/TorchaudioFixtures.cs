using System.Text.Json;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Tests.Features;

/// <summary>One stored reference matrix: rows are frames (the frames listed in <see cref="Kept"/>).</summary>
internal sealed record ReferenceMatrix(float[] Values, int Rows, int Columns, int TotalFrames, int[] Kept)
{
    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Columns, Columns);
}

/// <summary>A clip of the torchaudio fixtures and its reference features.</summary>
internal sealed record ReferenceClip(
    string Name,
    string Source,
    float[] Samples,
    ReferenceMatrix Fbank,
    ReferenceMatrix LogMel,
    int[][] LogMelSegments,
    ReferenceMatrix? Lfr);

/// <summary>
/// Reads the fixtures tests/reference/make_feature_fixtures.py writes into tests/fixtures/features:
/// fixtures.json, the 16-bit 16 kHz inputs and the float32 .npy references.
/// </summary>
internal static class TorchaudioFixtures
{
    private const string RelativeDirectory = "tests/fixtures/features";
    private static readonly Lazy<string> Root = new(FindDirectory);
    private static readonly Lazy<JsonDocument> Manifest = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root.Value, "fixtures.json"))));

    public static string Directory => Root.Value;

    /// <summary>The command line recorded in the fixtures' header.</summary>
    public static string Command => Manifest.Value.RootElement.GetProperty("command").GetString()!;

    public static IEnumerable<string> ClipNames() =>
        Manifest.Value.RootElement.GetProperty("clips").EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    public static IEnumerable<string> LfrClipNames() =>
        Manifest.Value.RootElement.GetProperty("clips").EnumerateArray()
            .Where(c => c.TryGetProperty("lfr", out _)).Select(c => c.GetProperty("name").GetString()!);

    public static ReferenceClip Load(string name)
    {
        var clip = Manifest.Value.RootElement.GetProperty("clips").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var wav = WavFile.Read(Path.Combine(Root.Value, clip.GetProperty("input").GetString()!));
        if (wav.Channels != 1 || wav.SampleRate != 16000)
        {
            throw new InvalidDataException($"{name}: fixture input must be 16 kHz mono, is {wav.SampleRate} Hz x {wav.Channels}.");
        }

        var samples = wav.Samples.AsSpan(clip.GetProperty("start").GetInt32(), clip.GetProperty("length").GetInt32()).ToArray();
        var segments = clip.GetProperty("logmel").GetProperty("segments").EnumerateArray()
            .Select(s => s.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        return new ReferenceClip(
            name,
            clip.GetProperty("source").GetString()!,
            samples,
            Matrix(clip.GetProperty("fbank"), "frames"),
            Matrix(clip.GetProperty("logmel"), "frames"),
            segments,
            clip.TryGetProperty("lfr", out var lfr) ? Matrix(lfr, "rows") : null);
    }

    private static ReferenceMatrix Matrix(JsonElement entry, string countName)
    {
        var (values, rows, columns) = NpyFloatMatrix.Read(Path.Combine(Root.Value, entry.GetProperty("file").GetString()!));
        var total = entry.GetProperty(countName).GetInt32();
        var kept = entry.TryGetProperty("kept", out var list)
            ? list.EnumerateArray().Select(v => v.GetInt32()).ToArray()
            : Enumerable.Range(0, rows).ToArray();
        if (kept.Length != rows)
        {
            throw new InvalidDataException($"{entry.GetProperty("file").GetString()}: {rows} rows but {kept.Length} frame indices.");
        }

        return new ReferenceMatrix(values, rows, columns, total, kept);
    }

    // The fixtures stay in the source tree (they are regenerated there): found by walking up
    // from the test assembly to the repository root.
    private static string FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativeDirectory);
            if (File.Exists(Path.Combine(candidate, "fixtures.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{RelativeDirectory}/fixtures.json was not found above {AppContext.BaseDirectory}; run the tests from the repository checkout.");
    }
}
