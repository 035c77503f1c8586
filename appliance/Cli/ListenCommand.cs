using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Output;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Appliance.Cli;

/// <summary>
/// <c>listen</c>: file mode. A WAV plays the part of the microphone array; every stage of the
/// pipeline runs as it would live, and every event is written as one JSON line.
/// </summary>
internal static class ListenCommand
{
    /// <summary>One run of the file-mode pipeline.</summary>
    internal sealed record Arguments(
        FileInfo Input,
        FileInfo? Output,
        FileInfo? Events,
        bool Timeline,
        bool RealTime,
        int Channel,
        int OutputRate,
        string[] Expected)
    {
        /// <summary>The extra configuration file, if one was given.</summary>
        public FileInfo? Config { get; init; }

        /// <summary>Settings given on the command line (<c>--set Section:Key=value</c>).</summary>
        public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();
    }

    public static Command Create()
    {
        var input = InputOption();
        var output = OutputOption();
        var events = EventsOption();
        var timeline = new Option<bool>("--timeline") { Description = "Print the timeline and the latency breakdown at the end." };
        var realTime = new Option<bool>("--realtime") { Description = "Feed the input at its real pace instead of as fast as possible." };
        var channel = ChannelOption();
        var outputRate = OutputRateOption();
        var expect = PipelineOptions.ExpectOption(
            "Event types that must all occur (comma-separated), e.g. wake,pause,speculative_start; exit code 5 names the missing ones.", []);
        var pipeline = new PipelineOptions();

        var command = new Command("listen", "Run the whole pipeline on a WAV as if it came from the microphone (exit codes: see 'stepaudio-edge --help').");
        foreach (var option in new Option[] { input, output, events, timeline, realTime, channel, outputRate, expect })
        {
            command.Options.Add(option);
        }

        pipeline.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(
            new Arguments(
                parse.GetValue(input)!, parse.GetValue(output), parse.GetValue(events), parse.GetValue(timeline), parse.GetValue(realTime), parse.GetValue(channel),
                parse.GetValue(outputRate), parse.GetValue(expect) ?? [])
            {
                Config = pipeline.Config(parse),
                Overrides = pipeline.Overrides(parse),
            },
            ct));
        return command;
    }

    internal static Option<FileInfo> InputOption() =>
        new("--input", "-i") { Description = "The request: a WAV of any rate, format and channel count.", Required = true };

    internal static Option<FileInfo?> OutputOption() => new("--output", "-o") { Description = "Where to write the spoken reply (WAV)." };

    internal static Option<FileInfo?> EventsOption() => new("--events") { Description = "Where to write the events, one JSON object per line." };

    internal static Option<int> ChannelOption() =>
        new("--channel") { Description = "Input channel to use; -1 mixes all channels (default).", DefaultValueFactory = _ => -1 };

    internal static Option<int> OutputRateOption() =>
        new("--output-rate") { Description = "Sample rate of the reply WAV.", DefaultValueFactory = _ => 22050 };

    /// <summary>Runs the pipeline on the input; the exit code is one of <see cref="ExitCodes"/>.</summary>
    internal static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        return await CliErrors.GuardAsync(async () =>
        {
            var settings = ApplianceSettings.Load(arguments.Config?.FullName, arguments.Overrides);
            var samples = ReadInput(arguments.Input.FullName, arguments.Channel);
            using var jsonl = arguments.Events is null ? null : new JsonlEventWriter(arguments.Events.FullName);
            var events = jsonl is null ? new FanOutEventSink() : new FanOutEventSink(jsonl);
            var replyPath = arguments.Output?.FullName ?? Path.Combine(Path.GetTempPath(), $"stepaudio-reply-{Environment.ProcessId}.wav");
            using var output = new WavFileOutput(replyPath, arguments.OutputRate);

            await using var engine = await ConversationEngine.CreateAsync(settings, output, events, loggers, cancellationToken);
            var coordinator = engine.Coordinator.RunAsync(engine.Signals, cancellationToken);
            await FeedAsync(engine, samples, arguments.RealTime, settings, cancellationToken);
            engine.CompleteInput();
            await coordinator;

            if (arguments.Timeline)
            {
                Console.WriteLine(TimelinePrinter.Render(events.Recorded));
            }

            if (engine.Coordinator.Wakes == 0)
            {
                Console.Error.WriteLine("listen: no wake word was heard in the input.");
                return ExitCodes.NoWakeWord;
            }

            var seen = events.Recorded.Select(e => e.Type).ToHashSet(StringComparer.Ordinal);
            var missing = arguments.Expected.Where(type => !seen.Contains(type)).ToArray();
            if (missing.Length > 0)
            {
                Console.Error.WriteLine($"listen: expected stages did not happen: {string.Join(", ", missing)}.");
                return ExitCodes.TurnFailed;
            }

            if (engine.Coordinator.CompletedTurns > 0)
            {
                return ExitCodes.Ok;
            }

            // A turn that failed because the GPU server could not be reached is the network's fault, not the turn's.
            return events.Recorded.Any(IsServerUnreachable) ? ExitCodes.Unreachable : ExitCodes.TurnFailed;
        });
    }

    private static bool IsServerUnreachable(PipelineEvent e) =>
        e is TurnFailed { Stage: TurnFailureStage.Server, Kind: nameof(GpuServerErrorKind.Unreachable) };

    private static float[] ReadInput(string path, int channel)
    {
        var wav = SpeechInput.Read(path);
        if (channel >= wav.Channels)
        {
            throw new OptionsException($"--channel {channel}: {path} has only {wav.Channels} channel(s).");
        }

        // The stage the live capture hears through: the same selection and the same resampler.
        var selection = channel < 0
            ? new ChannelSelectionOptions { Mode = ChannelSelectionMode.Mix }
            : new ChannelSelectionOptions { Mode = ChannelSelectionMode.Channel, Channel = channel };
        var frontEnd = CaptureFrontEnd.FromOptions(selection, wav.Channels, wav.SampleRate, maxFramesPerCall: 4096);
        return frontEnd.ProcessAll(wav.Samples);
    }

    /// <summary>
    /// Feeds the input in 32 ms frames. As fast as possible, the input pauses after each end of
    /// turn until the reply is done (a live microphone would keep running; a file has no reason
    /// to race ahead of the reply). At the end of the input the room falls silent: silence is fed
    /// until an open turn ends.
    /// </summary>
    private static async Task FeedAsync(ConversationEngine engine, float[] samples, bool realTime, ApplianceSettings settings, CancellationToken cancellationToken)
    {
        const int frame = 512;
        var clock = Stopwatch.StartNew();
        var silence = new float[frame];
        var trailingFrames = (settings.Endpointing.MaxTurnMs + settings.Endpointing.NoSpeechTimeoutMs) / 32;
        var total = samples.Length + (trailingFrames * frame);
        var wasInTurn = false;
        for (var offset = 0; offset < total; offset += frame)
        {
            if (offset >= samples.Length && !engine.Loop.InTurn)
            {
                break;
            }

            var chunk = offset < samples.Length ? samples.AsSpan(offset, Math.Min(frame, samples.Length - offset)) : silence;
            engine.Loop.Process(chunk);
            if (realTime)
            {
                var due = TimeSpan.FromMilliseconds((offset + chunk.Length) / 16.0);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }
            }
            else if (wasInTurn && !engine.Loop.InTurn)
            {
                await engine.Coordinator.WhenTurnFinished(engine.Loop.TurnId).WaitAsync(cancellationToken);
            }

            wasInTurn = engine.Loop.InTurn;
        }

        if (wasInTurn || engine.Loop.TurnId > 0)
        {
            await engine.Coordinator.WhenTurnFinished(engine.Loop.TurnId).WaitAsync(cancellationToken);
        }
    }
}
