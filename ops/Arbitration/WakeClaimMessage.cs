using System.Buffers;
using System.Text.Json;

namespace StepAudio.Ops.Arbitration;

/// <summary>
/// One speaker's claim on a wake word, as published on the home's arbitration topic:
/// <c>{device, turn, keyword, score, snrDb, heardAt}</c> with <c>heardAt</c> in unix milliseconds.
/// </summary>
/// <param name="Device">The claiming device's id.</param>
/// <param name="Turn">The device's own turn number (only meaningful to that device; carried for its event log).</param>
/// <param name="Keyword">The wake word heard.</param>
/// <param name="Score">The wake detector's score, 0..1.</param>
/// <param name="SnrDb">Estimated signal-to-noise ratio of the wake word, in dB: how well this speaker heard it.</param>
/// <param name="HeardAt">When the wake word ended, on the device's (NTP-synchronised) clock.</param>
public sealed record WakeClaimMessage(string Device, int Turn, string Keyword, float Score, double SnrDb, DateTimeOffset HeardAt)
{
    /// <summary>
    /// The decision rule every speaker applies to the same set of claims: higher SNR first, then higher score, then
    /// the lower device id (ordinal), so all of them pick the same winner without a second round.
    /// </summary>
    public bool Beats(WakeClaimMessage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (SnrDb != other.SnrDb)
        {
            return SnrDb > other.SnrDb;
        }

        if (Score != other.Score)
        {
            return Score > other.Score;
        }

        return string.CompareOrdinal(Device, other.Device) < 0;
    }

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("device", Device);
            writer.WriteNumber("turn", Turn);
            writer.WriteString("keyword", Keyword);
            writer.WriteNumber("score", Score);
            writer.WriteNumber("snrDb", SnrDb);
            writer.WriteNumber("heardAt", HeardAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a claim; false (with the reason) for anything that is not a complete, finite claim.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out WakeClaimMessage? claim, out string? problem)
    {
        claim = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the claim is not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("device", out var device) || device.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(device.GetString())
                || !root.TryGetProperty("turn", out var turn) || turn.ValueKind != JsonValueKind.Number || !turn.TryGetInt32(out var turnId)
                || !root.TryGetProperty("keyword", out var keyword) || keyword.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number || !score.TryGetDouble(out var scoreValue)
                || !root.TryGetProperty("snrDb", out var snr) || snr.ValueKind != JsonValueKind.Number || !snr.TryGetDouble(out var snrValue)
                || !root.TryGetProperty("heardAt", out var heardAt) || heardAt.ValueKind != JsonValueKind.Number || !heardAt.TryGetInt64(out var heardAtMs))
            {
                problem = "the claim lacks one of device (string), turn (int), keyword (string), score, snrDb (numbers), heardAt (unix ms)";
                return false;
            }

            if (!double.IsFinite(scoreValue) || !double.IsFinite(snrValue) || heardAtMs < 0 || heardAtMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                problem = "score and snrDb must be finite and heardAt a valid unix time in ms";
                return false;
            }

            claim = new WakeClaimMessage(device.GetString()!, turnId, keyword.GetString()!, (float)scoreValue, snrValue, DateTimeOffset.FromUnixTimeMilliseconds(heardAtMs));
            problem = null;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"the claim is not valid JSON: {ex.Message}";
            return false;
        }
    }
}
