using System.Text.Json;
using System.Text.Json.Serialization;
using StepAudio.Ops.Ota.State;
using StepAudio.Ops.Storage;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// What the device could reach when it took a job, kept beside the agent's state file
/// (<c>ota-baseline.json</c>, written atomically) so the health check after the reboot can tell
/// a broker or server that was already out of reach from one the update broke.
/// </summary>
/// <param name="JobId">The job it was recorded for.</param>
/// <param name="BrokerConnected">The fleet link was online.</param>
/// <param name="Server">How the GPU server answered.</param>
/// <param name="ServerDetail">What it said.</param>
/// <param name="RecordedAt">When.</param>
public sealed record UpdateBaseline(string JobId, bool BrokerConnected, ServerAnswer Server, string ServerDetail, DateTimeOffset RecordedAt)
{
    /// <summary>The file's name in the OTA state directory.</summary>
    public const string FileName = "ota-baseline.json";

    /// <summary>Writes the baseline atomically into <paramref name="stateDirectory"/>.</summary>
    public void Save(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        AtomicFile.Write(Path.Combine(stateDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, BaselineJsonContext.Default.UpdateBaseline));
    }

    /// <summary>The baseline recorded for <paramref name="jobId"/>, or null when there is none (or it is unreadable).</summary>
    public static UpdateBaseline? LoadFor(string stateDirectory, string? jobId)
    {
        var path = Path.Combine(stateDirectory, FileName);
        if (jobId is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var baseline = JsonSerializer.Deserialize(File.ReadAllBytes(path), BaselineJsonContext.Default.UpdateBaseline);
            return baseline?.JobId == jobId ? baseline : null;
        }
        catch (JsonException)
        {
            // Without a readable baseline nothing is excused: the check counts against the update.
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(UpdateBaseline))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
