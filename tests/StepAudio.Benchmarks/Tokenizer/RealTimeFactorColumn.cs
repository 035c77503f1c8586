using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StepAudio.Benchmarks.Tokenizer;

/// <summary>"x real time": seconds of audio one operation processes divided by the mean time it takes.</summary>
internal sealed class RealTimeFactorColumn : IColumn
{
    private readonly double _audioSecondsPerOperation;

    public RealTimeFactorColumn(double audioSecondsPerOperation) => _audioSecondsPerOperation = audioSecondsPerOperation;

    public string Id => nameof(RealTimeFactorColumn);

    public string ColumnName => "x real time";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Audio seconds per operation ({_audioSecondsPerOperation}) over mean seconds per operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        var mean = report?.ResultStatistics?.Mean;
        return mean is > 0 ? (_audioSecondsPerOperation / (mean.Value / 1e9)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
