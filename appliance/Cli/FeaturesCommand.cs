using System.CommandLine;
using StepAudio.Appliance.Composition;
using StepAudio.Engine.Features;

namespace StepAudio.Appliance.Cli;

/// <summary>
/// <c>features</c>: the tokenizer's front-end features of a WAV as a float32 <c>.npy</c>, to compare
/// with any reference. fbank is <c>[frames, 80]</c> (torchaudio.compliance.kaldi.fbank's layout),
/// lfr <c>[frames / 6, 560]</c>, logmel <c>[128, frames]</c> (Whisper's layout, one clamp and
/// scaling per 30 s segment as the vq06 reference runs it, segments side by side in time).
/// </summary>
internal static class FeaturesCommand
{
    private const string Fbank = "fbank";
    private const string Lfr = "lfr";
    private const string LogMel = "logmel";

    private sealed record Arguments(FileInfo Input, string Kind, FileInfo Output, bool Normalise, FileInfo? Cmvn);

    public static Command Create()
    {
        var input = new Argument<FileInfo>("wav") { Description = "The audio: a WAV of any rate, format and channel count (mixed to mono; resampled to 16 kHz with the device's resampler when it is not 16 kHz)." };
        var kind = new Option<string>("--kind")
        {
            Description = "fbank: Kaldi fbank [T, 80] (vq02); lfr: fbank stacked 7 by 6 [T/6, 560]; logmel: Whisper log-mel [128, T] (vq06).",
            Required = true,
        };
        kind.AcceptOnlyFromAmong(Fbank, Lfr, LogMel);
        var output = new Option<FileInfo>("--out", "-o") { Description = "Where to write the features (.npy, float32).", Required = true };
        var normalise = new Option<bool>("--normalise") { Description = "Peak-normalise first, as the tokenizer does (x / max(max|x|, 0.01) * 0.999)." };
        var cmvn = new Option<FileInfo?>("--cmvn") { Description = "lfr only: apply this am.mvn (the vq02 model's CMVN) after stacking." };

        var command = new Command("features", "Write the tokenizer's front-end features of a WAV as .npy.");
        command.Arguments.Add(input);
        foreach (var option in new Option[] { kind, output, normalise, cmvn })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CliErrors.GuardAsync(() =>
        {
            ct.ThrowIfCancellationRequested();
            var arguments = new Arguments(parse.GetValue(input)!, parse.GetValue(kind)!, parse.GetValue(output)!, parse.GetValue(normalise), parse.GetValue(cmvn));
            return Task.FromResult(Run(arguments, parse.InvocationConfiguration.Output));
        }));
        return command;
    }

    private static int Run(Arguments arguments, TextWriter console)
    {
        if (arguments.Cmvn is not null && arguments.Kind != Lfr)
        {
            throw new OptionsException($"--cmvn applies to --kind {Lfr} only, not {arguments.Kind}.");
        }

        var samples = SpeechInput.ReadMono16k(arguments.Input.FullName);
        if (arguments.Normalise)
        {
            AudioConditioner.PeakNormalise(samples, samples);
        }

        var (values, rows, columns) = arguments.Kind switch
        {
            Fbank => ComputeFbank(samples),
            Lfr => ComputeLfr(samples, arguments.Cmvn),
            _ => ComputeLogMel(samples),
        };
        NpyWriter.Write(arguments.Output.FullName, values, rows, columns);
        console.WriteLine($"{arguments.Kind}: ({rows}, {columns}) float32 from {samples.Length / (double)SpeechInput.SampleRate:F2} s -> {arguments.Output.FullName}");
        return ExitCodes.Ok;
    }

    private static (float[] Values, int Rows, int Columns) ComputeFbank(float[] samples)
    {
        var fbank = new KaldiFbank();
        var frames = fbank.ComputeAll(samples);
        return (frames, frames.Length / fbank.MelBins, fbank.MelBins);
    }

    private static (float[] Values, int Rows, int Columns) ComputeLfr(float[] samples, FileInfo? cmvnFile)
    {
        var (frames, count, _) = ComputeFbank(samples);
        var stacker = new LowFrameRate();
        var rows = new float[stacker.OutputCountFor(count) * stacker.OutputDimension];
        var written = stacker.Accept(frames, rows);
        written += stacker.Finish(rows.AsSpan(written * stacker.OutputDimension));
        if (cmvnFile is not null)
        {
            var cmvn = Cmvn.Load(cmvnFile.FullName);
            if (cmvn.Dimension != stacker.OutputDimension)
            {
                throw new CmvnFormatException($"{cmvnFile.FullName}: dimension {cmvn.Dimension}, the LFR frames have {stacker.OutputDimension}.");
            }

            cmvn.Apply(rows);
        }

        return (rows, written, stacker.OutputDimension);
    }

    /// <summary>Whisper log-mel per 30 s segment (shorter than 480 samples: dropped), laid out [128, all frames].</summary>
    private static (float[] Values, int Rows, int Columns) ComputeLogMel(float[] samples)
    {
        const int bins = WhisperLogMelAccumulator.MelBins;
        var segments = new List<(float[] Features, int Frames)>();
        for (var start = 0; start < samples.Length; start += WhisperLogMelAccumulator.MaxSegmentSamples)
        {
            var length = Math.Min(WhisperLogMelAccumulator.MaxSegmentSamples, samples.Length - start);
            if (length >= WhisperLogMelAccumulator.MinSegmentSamples)
            {
                var features = WhisperLogMelAccumulator.Compute(samples.AsSpan(start, length), out var frames);
                segments.Add((features, frames));
            }
        }

        var total = segments.Sum(s => s.Frames);
        var values = new float[bins * total];
        var offset = 0;
        foreach (var (features, frames) in segments)
        {
            for (var m = 0; m < bins; m++)
            {
                features.AsSpan(m * frames, frames).CopyTo(values.AsSpan((m * total) + offset, frames));
            }

            offset += frames;
        }

        return (values, bins, total);
    }
}
