using System.Buffers;
using System.Text.Json;

namespace StepAudio.Ops.Config;

/// <summary>Machine-readable reasons published in <c>config/rejected</c>.</summary>
public static class DesiredConfigRejectionCodes
{
    public const string TooLarge = "too-large";
    public const string InvalidJson = "invalid-json";
    public const string InvalidDocument = "invalid-document";
    public const string StaleVersion = "stale-version";
    public const string InvalidSettings = "invalid-settings";

    /// <summary>A key that no part of the device reads (a typo, or a setting of another version).</summary>
    public const string UnknownSetting = "unknown-setting";

    /// <summary>A real setting that only the box itself may set: what it runs, whom it trusts, who it is.</summary>
    public const string NotFleetSettable = "not-fleet-settable";
    public const string ValidatorFailed = "validator-failed";
    public const string PersistFailed = "persist-failed";
    public const string ProcessingFailed = "processing-failed";
}

/// <summary>Why a desired document was not applied: <c>{version, code, message, path}</c> on <c>config/rejected</c>.</summary>
public sealed record DesiredConfigRejection(long? Version, string Code, string Message, string? Path)
{
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (Version is { } version)
            {
                writer.WriteNumber("version", version);
            }
            else
            {
                writer.WriteNull("version");
            }

            writer.WriteString("code", Code);
            writer.WriteString("message", Message);
            if (Path is null)
            {
                writer.WriteNull("path");
            }
            else
            {
                writer.WriteString("path", Path);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// Retained <c>config/reported</c>: <c>{version, status, appliedAt, settable}</c>; <c>settable</c> lists the settings a
/// fleet may set (exact paths, or <c>Section:*</c> for a section and everything under it), omitted when the device
/// names none.
/// </summary>
public sealed record DesiredConfigReport(long Version, string Status, DateTimeOffset AppliedAt)
{
    /// <summary>The fleet-settable settings, as the device documents them.</summary>
    public IReadOnlyList<string> Settable { get; init; } = [];

    /// <summary>The document was validated, persisted and applied live.</summary>
    public const string Applied = "applied";

    /// <summary>The document repeated the version already applied; nothing changed.</summary>
    public const string Unchanged = "unchanged";

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteString("status", Status);
            writer.WriteString("appliedAt", AppliedAt);
            if (Settable.Count > 0)
            {
                writer.WriteStartArray("settable");
                foreach (var pattern in Settable)
                {
                    writer.WriteStringValue(pattern);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
