using System.Text.Json;
using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// The <c>ota/status</c> document: <c>{jobId, version, state, reason, message, bytesDone,
/// bytesTotal, percent, at, rejected, final}</c>, states and reasons by name (what
/// <c>deploy.sh push</c> follows).
/// </summary>
public static class OtaStatusJson
{
    /// <summary>Writes one status.</summary>
    public static byte[] Write(OtaStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", status.JobId);
            writer.WriteString("version", status.Version);
            writer.WriteString("state", status.State.ToString());
            writer.WriteString("reason", status.Reason.ToString());
            writer.WriteString("message", status.Message);
            writer.WriteNumber("bytesDone", status.BytesDone);
            writer.WriteNumber("bytesTotal", status.BytesTotal);
            writer.WriteNumber("percent", status.Percent);
            writer.WriteString("at", status.At);
            writer.WriteBoolean("rejected", status.Rejected);
            writer.WriteBoolean("final", status.IsFinal);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
