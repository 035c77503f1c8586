using System.Buffers;
using System.Text.Json;

namespace StepAudio.Ops.Telemetry;

/// <summary>One instrument over one interval; which fields are set depends on <see cref="Kind"/>.</summary>
public sealed record InstrumentSnapshot(string Name, string? Unit, AggregationKind Kind)
{
    public long Count { get; init; }

    public double Sum { get; init; }

    public double Value { get; init; }

    public double Min { get; init; }

    public double Max { get; init; }

    public double Mean { get; init; }

    public double P50 { get; init; }

    public double P95 { get; init; }
}

/// <summary>Everything one stream (one <c>StepAudio.*</c> meter) measured in one interval: one telemetry message.</summary>
public sealed record TelemetrySnapshot(string Stream, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<InstrumentSnapshot> Instruments)
{
    /// <summary>Version of the telemetry document layout.</summary>
    public const int SchemaVersion = 1;

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (Instruments.Count * 160));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schema", SchemaVersion);
            writer.WriteString("stream", Stream);
            writer.WriteString("from", From);
            writer.WriteString("to", To);
            writer.WriteStartObject("metrics");
            foreach (var instrument in Instruments)
            {
                writer.WriteStartObject(instrument.Name);
                writer.WriteString("kind", instrument.Kind switch
                {
                    AggregationKind.Counter => "counter",
                    AggregationKind.UpDown => "updown",
                    AggregationKind.Gauge => "gauge",
                    _ => "histogram",
                });
                if (instrument.Unit is { Length: > 0 } unit)
                {
                    writer.WriteString("unit", unit);
                }

                switch (instrument.Kind)
                {
                    case AggregationKind.Counter:
                        writer.WriteNumber("sum", instrument.Sum);
                        writer.WriteNumber("count", instrument.Count);
                        break;
                    case AggregationKind.Histogram:
                        writer.WriteNumber("count", instrument.Count);
                        writer.WriteNumber("min", instrument.Min);
                        writer.WriteNumber("max", instrument.Max);
                        writer.WriteNumber("mean", instrument.Mean);
                        writer.WriteNumber("p50", instrument.P50);
                        writer.WriteNumber("p95", instrument.P95);
                        break;
                    default:
                        writer.WriteNumber("value", instrument.Value);
                        break;
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
