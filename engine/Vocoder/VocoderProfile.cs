using System.Text.Json;
using StepAudio.Engine.Vocoder.Flow;

namespace StepAudio.Engine.Vocoder;

/// <summary>
/// A vocoder profile as read from its <c>vocoder.json</c>: everything that differs between Step-Audio's
/// vocoder (v1, 22.05 kHz) and later ones (v2, 24 kHz), and every value STEP-AUDIO.md marks unverified.
/// Nothing here has a default in code: a missing field is an error naming it.
/// </summary>
public sealed class VocoderProfile
{
    /// <summary>The file name inside a profile directory.</summary>
    public const string FileName = "vocoder.json";

    private VocoderProfile()
    {
    }

    /// <summary>The profile name, e.g. <c>v1</c>.</summary>
    public string Name { get; private init; } = string.Empty;

    /// <summary>Output PCM sample rate (22050 for v1).</summary>
    public int SampleRate { get; private init; }

    /// <summary>Mel bins of the flow output and HiFT input (80).</summary>
    public int MelBins { get; private init; }

    /// <summary>PCM samples per mel frame (256 for v1).</summary>
    public int Hop { get; private init; }

    /// <summary>Flow tokens per second: the flow's <c>input_frame_rate</c>, used for the target mel length.</summary>
    public double TokenRate { get; private init; }

    /// <summary>Size of the flow's token embedding table; every flow token must be below it.</summary>
    public int VocabSize { get; private init; }

    /// <summary>How audio ids map to flow tokens.</summary>
    public FlowTokenLayout TokenLayout { get; private init; }

    /// <summary>Ints per flow step: 1, or 2 for <see cref="FlowTokenLayout.V2Pairs"/>.</summary>
    public int TokenWidth => TokenLayout == FlowTokenLayout.V2Pairs ? 2 : 1;

    /// <summary>
    /// Rows of <c>h</c> the flow encoder emits per flow token: 1 (v1: the device interpolates them to the
    /// mel frames) or the exact mel frames per token when the encoder upsamples itself (v2: 2, and the prompt
    /// mel is resized to match, nearest, as Step-Audio-EditX does).
    /// </summary>
    public int EncoderFramesPerToken { get; private init; }

    /// <summary>Euler steps of the flow solver (10).</summary>
    public int FlowSteps { get; private init; }

    /// <summary>Classifier-free guidance rate (0.7).</summary>
    public float CfgRate { get; private init; }

    /// <summary>CAM++ speaker embedding size (192).</summary>
    public int SpeakerEmbeddingDim { get; private init; }

    /// <summary>Default tokens in the first streaming chunk.</summary>
    public int FirstChunkTokens { get; private init; }

    /// <summary>Default look-ahead of the first chunk only (at most <see cref="OverlapTokens"/>): less waiting before the first sound.</summary>
    public int FirstLookAheadTokens { get; private init; }

    /// <summary>Default tokens in the second streaming chunk; later chunks double up to <see cref="MaxChunkTokens"/>.</summary>
    public int ChunkTokens { get; private init; }

    /// <summary>Default largest streaming chunk.</summary>
    public int MaxChunkTokens { get; private init; }

    /// <summary>Default tokens of look-ahead (and left context) shared by neighbouring chunks.</summary>
    public int OverlapTokens { get; private init; }

    /// <summary>Mel frames HiFT re-reads from the previous chunk (its source and PCM cache is this many hops).</summary>
    public int HiftCacheFrames { get; private init; }

    /// <summary>The HiFT cache after the first chunk only (at most <see cref="HiftCacheFrames"/>): the PCM held back from the first sound.</summary>
    public int FirstHiftCacheFrames { get; private init; }

    /// <summary>Audio ids consumed per flow step: 1 for interleaved, 5/3 for the layouts that turn each 5-id group into 3 steps.</summary>
    public double AudioIdsPerStep => TokenLayout == FlowTokenLayout.Interleaved ? 1.0 : 5.0 / 3.0;

    /// <summary>Audio ids per second of speech this profile implies (the rate a real-time TTS model must emit them): the flow's token rate times the ids per step.</summary>
    public double AudioIdRate => TokenRate * AudioIdsPerStep;

    /// <summary>Target mel frames for <paramref name="tokens"/> flow tokens: <c>int(n / token_rate * sample_rate / hop)</c>.</summary>
    public int FramesForTokens(int tokens) => (int)(tokens / TokenRate * SampleRate / Hop);

    /// <summary>Reads and checks <c>vocoder.json</c> in <paramref name="profileDirectory"/>.</summary>
    /// <exception cref="VocoderConfigException">The file is missing, not JSON, or a field is absent or out of range.</exception>
    public static VocoderProfile Load(string profileDirectory)
    {
        ArgumentNullException.ThrowIfNull(profileDirectory);
        var path = Path.Combine(profileDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new VocoderConfigException($"Vocoder profile config not found at {path}.");
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            return Parse(document.RootElement, path);
        }
        catch (JsonException ex)
        {
            throw new VocoderConfigException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a profile from JSON text; <paramref name="source"/> names it in errors.</summary>
    public static VocoderProfile Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement, source);
        }
        catch (JsonException ex)
        {
            throw new VocoderConfigException($"{source} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static VocoderProfile Parse(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new VocoderConfigException($"{source}: the root must be a JSON object.");
        }

        var reader = new FieldReader(root, source);
        var profile = new VocoderProfile
        {
            Name = reader.String("profile"),
            SampleRate = reader.Int("sampleRate", 8000, 192000),
            MelBins = reader.Int("melBins", 1, 512),
            Hop = reader.Int("hop", 1, 4096),
            TokenRate = reader.Double("tokenRate", 1, 1000),
            VocabSize = reader.Int("vocabSize", 1, 1 << 20),
            TokenLayout = reader.Layout("tokenLayout"),
            EncoderFramesPerToken = reader.Int("encoderFramesPerToken", 1, 16),
            FlowSteps = reader.Int("flowSteps", 1, 1000),
            CfgRate = (float)reader.Double("cfgRate", 0, 10),
            SpeakerEmbeddingDim = reader.Int("speakerEmbeddingDim", 1, 4096),
            FirstChunkTokens = reader.Int("firstChunkTokens", 1, 100000),
            FirstLookAheadTokens = reader.Int("firstLookAheadTokens", 0, 100000),
            ChunkTokens = reader.Int("chunkTokens", 1, 100000),
            MaxChunkTokens = reader.Int("maxChunkTokens", 1, 100000),
            OverlapTokens = reader.Int("overlapTokens", 0, 100000),
            HiftCacheFrames = reader.Int("hiftCacheFrames", 0, 10000),
            FirstHiftCacheFrames = reader.Int("firstHiftCacheFrames", 0, 10000),
        };

        if (profile.FirstChunkTokens > profile.MaxChunkTokens || profile.ChunkTokens > profile.MaxChunkTokens)
        {
            throw new VocoderConfigException(
                $"{source}: 'firstChunkTokens' ({profile.FirstChunkTokens}) and 'chunkTokens' ({profile.ChunkTokens}) must not exceed 'maxChunkTokens' ({profile.MaxChunkTokens}).");
        }

        var framesPerToken = profile.SampleRate / (double)profile.Hop / profile.TokenRate;
        if (profile.EncoderFramesPerToken > 1 && Math.Abs(framesPerToken - profile.EncoderFramesPerToken) > 1e-9)
        {
            throw new VocoderConfigException(
                $"{source}: 'encoderFramesPerToken' ({profile.EncoderFramesPerToken}) must equal sampleRate / hop / tokenRate ({framesPerToken}) when the encoder upsamples.");
        }

        if (profile.FirstLookAheadTokens > profile.OverlapTokens)
        {
            throw new VocoderConfigException(
                $"{source}: 'firstLookAheadTokens' ({profile.FirstLookAheadTokens}) must not exceed 'overlapTokens' ({profile.OverlapTokens}).");
        }

        if (profile.FirstHiftCacheFrames > profile.HiftCacheFrames)
        {
            throw new VocoderConfigException(
                $"{source}: 'firstHiftCacheFrames' ({profile.FirstHiftCacheFrames}) must not exceed 'hiftCacheFrames' ({profile.HiftCacheFrames}).");
        }

        return profile;
    }

    private readonly struct FieldReader(JsonElement root, string source)
    {
        public string String(string name)
        {
            var element = Get(name);
            if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
            {
                throw new VocoderConfigException($"{source}: field '{name}' must be a non-empty string, found {element.ValueKind}.");
            }

            return element.GetString()!;
        }

        public int Int(string name, int min, int max)
        {
            var element = Get(name);
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
            {
                throw new VocoderConfigException($"{source}: field '{name}' must be an integer, found {element}.");
            }

            if (value < min || value > max)
            {
                throw new VocoderConfigException($"{source}: field '{name}' is {value}, expected {min}..{max}.");
            }

            return value;
        }

        public double Double(string name, double min, double max)
        {
            var element = Get(name);
            if (element.ValueKind != JsonValueKind.Number)
            {
                throw new VocoderConfigException($"{source}: field '{name}' must be a number, found {element.ValueKind}.");
            }

            var value = element.GetDouble();
            if (!(value >= min && value <= max))
            {
                throw new VocoderConfigException($"{source}: field '{name}' is {value}, expected {min}..{max}.");
            }

            return value;
        }

        public FlowTokenLayout Layout(string name)
        {
            var text = String(name);
            return text switch
            {
                "interleaved" => FlowTokenLayout.Interleaved,
                "vq06-only" => FlowTokenLayout.Vq06Only,
                "v2-pairs" => FlowTokenLayout.V2Pairs,
                _ => throw new VocoderConfigException(
                    $"{source}: field '{name}' is '{text}', expected one of 'interleaved', 'vq06-only', 'v2-pairs'."),
            };
        }

        private JsonElement Get(string name) =>
            root.TryGetProperty(name, out var element)
                ? element
                : throw new VocoderConfigException($"{source}: required field '{name}' is missing.");
    }
}
