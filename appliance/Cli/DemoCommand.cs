using System.CommandLine;

namespace StepAudio.Appliance.Cli;

/// <summary>
/// <c>demo</c>: <c>listen</c> at the recording's real pace with the timeline, failing unless every
/// stage of a hands-free turn with a mid-question pause happened. <c>./deploy.sh demo</c> makes the
/// recording, starts the stand-in server and calls this.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The stages of the demo turn, in the order they happen.</summary>
    public static readonly string[] Stages =
    [
        "wake", "speech_start", "pause", "speculative_start", "speculative_cancel", "end_of_turn",
        "first_text_token", "first_audio_token", "first_audio_out", "turn_end",
    ];

    public static Command Create()
    {
        var input = ListenCommand.InputOption();
        var output = ListenCommand.OutputOption();
        var events = ListenCommand.EventsOption();
        var channel = ListenCommand.ChannelOption();
        var outputRate = ListenCommand.OutputRateOption();
        var expect = PipelineOptions.ExpectOption(
            "Event types that must all occur (comma-separated); exit code 5 names the missing ones. Default: every stage of the demo turn.", Stages);
        var pipeline = new PipelineOptions();

        var command = new Command(
            "demo",
            "Play a request recording to the pipeline in real time, print the timeline and the latency breakdown, and check that " +
            $"every stage happened ({string.Join(", ", Stages)}).");
        foreach (var option in new Option[] { input, output, events, channel, outputRate, expect })
        {
            command.Options.Add(option);
        }

        pipeline.AddTo(command);
        command.SetAction((parse, ct) => ListenCommand.RunAsync(
            new ListenCommand.Arguments(
                parse.GetValue(input)!,
                parse.GetValue(output),
                parse.GetValue(events),
                Timeline: true,
                RealTime: true,
                parse.GetValue(channel),
                parse.GetValue(outputRate),
                parse.GetValue(expect) ?? Stages)
            {
                Config = pipeline.Config(parse),
                Overrides = Repeatable(pipeline.Overrides(parse)),
            },
            ct));
        return command;
    }

    /// <summary>
    /// The vocoder's flow-matching noise is drawn afresh for every utterance on a device; the demo fixes its seed (unless
    /// told otherwise) so that the same request gives the same reply, sample for sample.
    /// </summary>
    private static Dictionary<string, string?> Repeatable(IReadOnlyDictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>(overrides, StringComparer.OrdinalIgnoreCase);
        settings.TryAdd("Vocoder:NoiseSeed", "20261207");
        return settings;
    }
}
