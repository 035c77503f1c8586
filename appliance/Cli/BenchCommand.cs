using System.CommandLine;
using System.Text.Json;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Diagnostics;
using StepAudio.Engine.Models;

namespace StepAudio.Appliance.Cli;

/// <summary><c>bench</c>: what the always-on stages cost on this device, measured in place.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "Seconds of synthetic audio per pass.", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: load_ms, warmup_ms and per pass cpu_ms_per_audio_second, real_time_factor, bytes_per_frame." };
        var config = new Option<FileInfo?>("--config") { Description = "An extra JSON configuration file (Models:CacheDirectory, WakeWord:Heads)." };
        var command = new Command(
            "bench",
            "Measure the always-on stages (pinned wake word + Silero VAD) on this device: model load and warm-up time, then two passes over " +
            "synthetic audio, a quiet room (VAD gate closed: mel stage only) and voice (gate open: every stage), each reporting process CPU time " +
            "per second of audio, the real-time factor and managed bytes allocated per 32 ms frame (0 once warm).");
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.Options.Add(config);
        command.SetAction((parse, ct) => CliErrors.GuardAsync(() =>
            Task.FromResult(Run(parse.GetValue(seconds), parse.GetValue(json), parse.GetValue(config), parse.InvocationConfiguration.Output))));
        return command;
    }

    private static int Run(int seconds, bool asJson, FileInfo? config, TextWriter output)
    {
        if (seconds < 1)
        {
            throw new OptionsException($"--seconds {seconds}: must be at least 1.");
        }

        var settings = ApplianceSettings.Load(config?.FullName, new Dictionary<string, string?>());
        var store = new ModelStore(string.IsNullOrEmpty(settings.Models.CacheDirectory) ? ModelStore.DefaultCacheDirectory() : settings.Models.CacheDirectory);
        using var bench = AlwaysOnBench.Load(store, settings.WakeWord.Heads, settings.WakeWord);

        // Synchronous on one thread from here: the allocation counter is per thread.
        var passes = new[]
        {
            bench.Run("quiet_room", AlwaysOnBench.QuietRoom(seconds), gateOpen: false),
            bench.Run("voice", AlwaysOnBench.Voice(seconds), gateOpen: true),
        };

        if (asJson)
        {
            WriteJson(output, seconds, settings.WakeWord.Heads, bench, passes);
        }
        else
        {
            output.WriteLine($"always-on stages: wake word ({string.Join(", ", settings.WakeWord.Heads)}) + Silero VAD v5, {seconds} s of synthetic audio per pass");
            output.WriteLine($"model load {bench.LoadTime.TotalMilliseconds:F1} ms, warm-up (1 s of audio) {bench.WarmUpTime.TotalMilliseconds:F1} ms");
            output.WriteLine($"{"pass",-26}  {"CPU ms / audio s",16}  {"real-time factor",16}  {"bytes / frame",13}");
            foreach (var pass in passes)
            {
                var name = pass.GateOpen ? "voice (gate open)" : "quiet room (gate closed)";
                output.WriteLine($"{name,-26}  {pass.CpuMsPerAudioSecond,16:F2}  {pass.RealTimeFactor,16:F4}  {pass.BytesPerFrame,13:F1}");
            }
        }

        return ExitCodes.Ok;
    }

    private static void WriteJson(TextWriter output, int seconds, IReadOnlyList<string> heads, AlwaysOnBench bench, AlwaysOnPass[] passes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("seconds", seconds);
            json.WriteStartArray("heads");
            foreach (var head in heads)
            {
                json.WriteStringValue(head);
            }

            json.WriteEndArray();
            json.WriteNumber("load_ms", Math.Round(bench.LoadTime.TotalMilliseconds, 2));
            json.WriteNumber("warmup_ms", Math.Round(bench.WarmUpTime.TotalMilliseconds, 2));
            json.WriteStartArray("passes");
            foreach (var pass in passes)
            {
                json.WriteStartObject();
                json.WriteString("name", pass.Name);
                json.WriteBoolean("gate_open", pass.GateOpen);
                json.WriteNumber("audio_seconds", pass.AudioSeconds);
                json.WriteNumber("frames", pass.Frames);
                json.WriteNumber("cpu_ms_per_audio_second", Math.Round(pass.CpuMsPerAudioSecond, 3));
                json.WriteNumber("real_time_factor", Math.Round(pass.RealTimeFactor, 5));
                json.WriteNumber("bytes_per_frame", pass.BytesPerFrame);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
