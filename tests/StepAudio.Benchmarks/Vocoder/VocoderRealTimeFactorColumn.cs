using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StepAudio.Benchmarks.Vocoder;

/// <summary>"RTF": seconds of compute per second of audio for the whole-utterance benchmarks (lower is faster; below 1 keeps up).</summary>
internal sealed class VocoderRealTimeFactorColumn : IColumn
{
    public string Id => nameof(VocoderRealTimeFactorColumn);

    public string ColumnName => "RTF";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Mean seconds per operation over the seconds of audio it vocodes (whole-utterance benchmarks only)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (method is not (nameof(StreamingVocoderBenchmarks.WholeUtterance) or nameof(StreamingVocoderBenchmarks.Streamed) or nameof(StreamingVocoderBenchmarks.StreamedSync)))
        {
            return "-";
        }

        var profile = (string)benchmarkCase.Parameters[nameof(StreamingVocoderBenchmarks.Profile)];
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0
            ? (mean.Value / 1e9 / StreamingVocoderBenchmarks.AudioSecondsOf(profile)).ToString("F4", System.Globalization.CultureInfo.InvariantCulture)
            : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
