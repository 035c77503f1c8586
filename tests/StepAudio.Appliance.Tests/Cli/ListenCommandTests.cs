using System.Text.Json;
using StepAudio.Appliance.Cli;
using StepAudio.Engine.Audio;
using StepAudio.StandInServer;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>
/// The demo's path, in-process: a multi-channel WAV with a wake phrase and a question with a
/// pause goes through every stage (real wake word and VAD, contract tokenizer and vocoder, the
/// stand-in GPU server) and comes out as events and a reply WAV.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class ListenCommandTests : IAsyncLifetime
{
    private readonly ContractModelsFixture _contract;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-listen-{Guid.NewGuid():N}");
    private StandInGpuServer _server = null!;

    public ListenCommandTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _ = models;
        _contract = contract;
        Directory.CreateDirectory(_dir);
    }

    public async Task InitializeAsync()
    {
        _server = await StandInGpuServer.StartAsync(new StandInOptions
        {
            FirstTokenDelay = TimeSpan.FromMilliseconds(40),
            TokenInterval = TimeSpan.FromMilliseconds(2),
        });
        var prompt = SpeechClips.Synthesize("Hello, this is the voice of your speaker.", "en-us+f2");
        WavFile.Write(Path.Combine(_dir, "prompt.wav"), prompt, 16000, 1);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Listen_WhenWakePhraseAndQuestion_CompletesTurnWithEventsInOrder()
    {
        var input = WriteRequest(
            SpeechClips.Silence(800),
            SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
            SpeechClips.Silence(350),
            SpeechClips.Synthesize("what will the weather be like", wordsPerMinute: 160),
            SpeechClips.Silence(450),
            SpeechClips.Synthesize("in Paris tomorrow morning", wordsPerMinute: 160),
            SpeechClips.Silence(2000));

        var (code, events) = await ListenAsync(input);

        Assert.Equal(ExitCodes.Ok, code);
        var types = events.Select(e => e.Type).ToList();
        AssertOrder(types, "wake", "speech_start", "pause", "speculative_cancel", "end_of_turn", "tokens_ready", "first_audio_token", "first_audio_out", "turn_end");
        AssertOrder(types, "first_text_token", "tts_request", "first_audio_token");
        Assert.True(types.IndexOf("pause") < types.LastIndexOf("pause"), "the pause in the question and the final pause");
        Assert.Equal(1, types.Count(t => t == "wake"));
        Assert.DoesNotContain("error", types);
        var turnEnd = events.Single(e => e.Type == "turn_end");
        Assert.StartsWith("I heard", turnEnd.Json.GetProperty("reply_text").GetString(), StringComparison.Ordinal);
        Assert.True(turnEnd.Json.GetProperty("device_added_ms").GetDouble() >= 0);

        var reply = WavFile.Read(Path.Combine(_dir, "reply.wav"));
        Assert.Equal(22050, reply.SampleRate);
        Assert.True(reply.Duration > TimeSpan.FromSeconds(0.5), $"reply is {reply.Duration}");
        Assert.True(reply.Samples.Max(MathF.Abs) > 0.01f, "reply is silent");
        Assert.True(_server.CompletedGenerations >= 2, "one chat and at least one TTS generation");
    }

    [Fact]
    public async Task Listen_WhenDeviceHasADefaultStyle_EverySentenceGoesToTtsWithTheTag()
    {
        var site = Path.Combine(_dir, "site.json");
        await File.WriteAllTextAsync(site, """{ "Voice": { "DefaultStyle": "（慢速1)" } }""");
        var input = WriteRequest(
            SpeechClips.Silence(500), SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140), SpeechClips.Silence(300),
            SpeechClips.Synthesize("how are you today"), SpeechClips.Silence(2000));

        var (code, _) = await ListenAsync(input, extra: ["--config", site]);

        Assert.Equal(ExitCodes.Ok, code);
        var targets = _server.TokenizeRequestBodies.Where(b => b.Contains("I heard", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(targets);
        Assert.All(targets, body => Assert.Contains("（慢速1)I heard", body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listen_WhenDefaultStyleIsNotATag_ExitsBadInputNamingTheOption()
    {
        var site = Path.Combine(_dir, "bad-style.json");
        await File.WriteAllTextAsync(site, """{ "Voice": { "DefaultStyle": "(whisper)" } }""");
        var input = WriteRequest(SpeechClips.Silence(500));

        var (code, _) = await ListenAsync(input, extra: ["--config", site]);

        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public async Task Listen_WhenNoWakeWord_ExitsNoWakeWord()
    {
        var input = WriteRequest(SpeechClips.Silence(500), SpeechClips.Synthesize("what will the weather be like tomorrow"), SpeechClips.Silence(1000));

        var (code, events) = await ListenAsync(input);

        Assert.Equal(ExitCodes.NoWakeWord, code);
        Assert.Empty(events);
        Assert.Equal(0, _server.StartedGenerations);
    }

    [Fact]
    public async Task Listen_WhenServerIsDown_ReportsServerErrorAndExitsUnreachable()
    {
        var input = WriteRequest(
            SpeechClips.Silence(500), SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140), SpeechClips.Silence(300),
            SpeechClips.Synthesize("is it going to rain"), SpeechClips.Silence(1500));

        var (code, events) = await ListenAsync(input, server: "http://127.0.0.1:9");

        Assert.Equal(ExitCodes.Unreachable, code);
        var error = events.Single(e => e.Type == "error");
        Assert.Equal("server", error.Json.GetProperty("stage").GetString());
        Assert.Equal("Unreachable", error.Json.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Listen_WhenWavIsMalformed_ExitsBadInput()
    {
        var input = Path.Combine(_dir, "broken.wav");
        await File.WriteAllBytesAsync(input, [.. "RIFF\u0010\0\0\0WAVEfmt "u8.ToArray(), 1, 2, 3]);

        var (code, _) = await ListenAsync(input);

        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public async Task Listen_WhenTokenizerModelIsMissing_ExitsModelError()
    {
        var input = WriteRequest(SpeechClips.Silence(500));

        var (code, _) = await ListenAsync(input, modelDirectory: Path.Combine(_dir, "no-models"));

        Assert.Equal(ExitCodes.ModelError, code);
    }

    private string WriteRequest(params float[][] parts)
    {
        // Four microphones at 48 kHz with a little room noise, like the demo's array recording.
        var mono = PolyphaseResampler.ResampleAll(SpeechClips.Concat(parts), 16000, 48000);
        var random = new Random(11);
        var interleaved = new float[mono.Length * 4];
        for (var i = 0; i < mono.Length; i++)
        {
            for (var c = 0; c < 4; c++)
            {
                interleaved[(i * 4) + c] = (mono[i] * (1f - (0.05f * c))) + (((float)random.NextDouble() - 0.5f) * 0.004f);
            }
        }

        var path = Path.Combine(_dir, $"request-{Guid.NewGuid():N}.wav");
        WavFile.Write(path, interleaved, 48000, 4);
        return path;
    }

    private async Task<(int Code, List<(string Type, JsonElement Json)> Events)> ListenAsync(string input, string? server = null, string? modelDirectory = null, string[]? extra = null)
    {
        var eventsPath = Path.Combine(_dir, "events.jsonl");
        File.Delete(eventsPath);
        var code = await ApplianceCommandLine.Create().Parse(
        [
            "listen", "--input", input, "--output", Path.Combine(_dir, "reply.wav"), "--events", eventsPath,
            "--server", server ?? _server.BaseAddress.ToString(), "--contract-models", modelDirectory ?? _contract.Directory,
            "--speaker-prompt", Path.Combine(_dir, "prompt.wav"), "--speaker-text", "Hello, this is the voice of your speaker.",
            .. extra ?? [],
        ]).InvokeAsync();
        var events = File.Exists(eventsPath)
            ? File.ReadAllLines(eventsPath).Select(line => JsonDocument.Parse(line).RootElement).Select(e => (e.GetProperty("type").GetString()!, e)).ToList()
            : [];
        return (code, events);
    }

    private static void AssertOrder(List<string> types, params string[] expected)
    {
        var last = -1;
        foreach (var type in expected)
        {
            var index = types.IndexOf(type);
            Assert.True(index >= 0, $"{type} missing from [{string.Join(", ", types)}]");
            Assert.True(index > last, $"{type} out of order in [{string.Join(", ", types)}]");
            last = index;
        }
    }
}
