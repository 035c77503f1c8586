using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StepAudio.Ops.Ota;

/// <summary>A job document that cannot be used; <see cref="Field"/> names the offending field.</summary>
public sealed class OtaJobFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OtaJobFormatException(string field, string message)
        : base($"OTA job field '{field}': {message}")
    {
        Field = field;
    }

    /// <summary>Creates the exception without a field.</summary>
    public OtaJobFormatException()
        : this("(document)", "invalid")
    {
    }

    /// <summary>Creates the exception without a field.</summary>
    public OtaJobFormatException(string message)
        : this("(document)", message)
    {
    }

    /// <summary>Creates the exception without a field.</summary>
    public OtaJobFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "(document)";
    }

    /// <summary>The JSON field that was missing or wrong.</summary>
    public string Field { get; } = "(document)";
}

/// <summary>Reads and writes the <c>ota/job</c> JSON document (camelCase fields, ISO 8601 times).</summary>
public static partial class OtaJobJson
{
    /// <summary>Parses a job, checking every field; throws <see cref="OtaJobFormatException"/> naming the first bad one.</summary>
    public static OtaJob Parse(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray());
        }
        catch (JsonException ex)
        {
            throw new OtaJobFormatException($"OTA job is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new OtaJobFormatException("(document)", "must be a JSON object.");
            }

            var jobId = RequiredString(root, "jobId");
            var version = RequiredString(root, "version");
            if (!OtaVersion.TryParse(version, out _))
            {
                throw new OtaJobFormatException("version", $"'{version}' is not a dotted version (1.2.3, 1.2.3-rc.1).");
            }

            var urlText = RequiredString(root, "url");
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new OtaJobFormatException("url", $"'{urlText}' is not an absolute http or https URL.");
            }

            if (!root.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out var size) || size <= 0)
            {
                throw new OtaJobFormatException("size", "must be a positive whole number of bytes.");
            }

            var sha = RequiredString(root, "sha256");
            if (!Sha256Pattern().IsMatch(sha))
            {
                throw new OtaJobFormatException("sha256", "must be 64 hex digits.");
            }

            var compatible = RequiredString(root, "compatible");
            var deadline = RequiredTime(root, "deadline");
            DateTimeOffset? notBefore = root.TryGetProperty("notBefore", out var nb) && nb.ValueKind != JsonValueKind.Null ? Time(nb, "notBefore") : null;
            if (notBefore >= deadline)
            {
                throw new OtaJobFormatException("notBefore", "must come before the deadline.");
            }

            var downgrade = false;
            if (root.TryGetProperty("downgrade", out var dg) && dg.ValueKind != JsonValueKind.Null)
            {
                downgrade = dg.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new OtaJobFormatException("downgrade", "must be true or false."),
                };
            }

            return new OtaJob(jobId, version, url, size, sha.ToLowerInvariant(), compatible, deadline) { NotBefore = notBefore, Downgrade = downgrade };
        }
    }

    /// <summary>Writes a job in the form <see cref="Parse"/> reads.</summary>
    public static byte[] Serialize(OtaJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", job.JobId);
            writer.WriteString("version", job.Version);
            writer.WriteString("url", job.Url.AbsoluteUri);
            writer.WriteNumber("size", job.Size);
            writer.WriteString("sha256", job.Sha256);
            writer.WriteString("compatible", job.Compatible);
            writer.WriteString("deadline", job.Deadline.ToString("O", CultureInfo.InvariantCulture));
            if (job.NotBefore is { } notBefore)
            {
                writer.WriteString("notBefore", notBefore.ToString("O", CultureInfo.InvariantCulture));
            }

            writer.WriteBoolean("downgrade", job.Downgrade);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string RequiredString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
        {
            throw new OtaJobFormatException(name, "is required and must be a non-empty string.");
        }

        return element.GetString()!;
    }

    private static DateTimeOffset RequiredTime(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element))
        {
            throw new OtaJobFormatException(name, "is required (an ISO 8601 time with offset).");
        }

        return Time(element, name);
    }

    private static DateTimeOffset Time(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            throw new OtaJobFormatException(name, "must be an ISO 8601 time with offset, e.g. 2026-05-01T03:00:00Z.");
        }

        return value;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();
}
