using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// The <c>events</c> route's documents, <c>{schema, type, time, seq, data}</c>: the sequence number rises by one per
/// event for the life of the process, so the fleet sees a gap when the outbox dropped one.
/// </summary>
internal sealed class EventDocuments
{
    private readonly TimeProvider _time;
    private long _sequence;

    public EventDocuments(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    public byte[] Write(string type, JsonNode? data)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schema", FleetLink.EventSchemaVersion);
            writer.WriteString("type", type);
            writer.WriteString("time", _time.GetUtcNow());
            writer.WriteNumber("seq", Interlocked.Increment(ref _sequence));
            writer.WritePropertyName("data");
            if (data is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                data.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
