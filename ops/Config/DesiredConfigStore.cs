using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Ops.Storage;

namespace StepAudio.Ops.Config;

/// <summary>The last accepted desired configuration as kept on disk.</summary>
public sealed record PersistedDesiredConfig(long Version, DateTimeOffset AcceptedAt, DesiredConfigDocument Document);

/// <summary>
/// Keeps the last accepted desired document on disk so that it survives a restart. A save is atomic: write a temp
/// file, fsync it, rename it over the real one, fsync the directory; a crash at any point leaves either the old or
/// the new document, and a torn temp file left by a crash is ignored (and removed) at load.
/// </summary>
public sealed partial class DesiredConfigStore
{
    public const string FileName = "desired-config.json";

    private readonly ILogger _logger;

    public DesiredConfigStore(string directory, ILogger<DesiredConfigStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        FilePath = Path.Combine(Directory, FileName);
        TempPath = FilePath + AtomicFile.TempSuffix;
        _logger = logger ?? NullLogger<DesiredConfigStore>.Instance;
    }

    public string Directory { get; }

    public string FilePath { get; }

    /// <summary>Where a save writes before the rename; whatever is found here at load is a leftover of a crash.</summary>
    public string TempPath { get; }

    /// <summary>Reads the persisted document; false when there is none or it cannot be read (logged with the reason).</summary>
    public bool TryLoad([NotNullWhen(true)] out PersistedDesiredConfig? config)
    {
        config = null;
        if (File.Exists(TempPath))
        {
            // Only a crash between write and rename leaves this behind; its content was never acknowledged.
            Log.TornTempIgnored(_logger, TempPath);
            TryDelete(TempPath);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(FilePath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.LoadFailed(_logger, FilePath, ex.Message, ex);
            return false;
        }

        if (!TryReadEnvelope(bytes, out config, out var problem))
        {
            Log.LoadFailed(_logger, FilePath, problem, null);
            return false;
        }

        Log.Loaded(_logger, config.Version, FilePath);
        return true;
    }

    /// <summary>Persists <paramref name="config"/> atomically and durably; throws <see cref="IOException"/> when it cannot.</summary>
    public void Save(PersistedDesiredConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        System.IO.Directory.CreateDirectory(Directory);
        var bytes = WriteEnvelope(config);
        AtomicFile.Write(FilePath, bytes);
    }

    internal static byte[] WriteEnvelope(PersistedDesiredConfig config)
    {
        var buffer = new ArrayBufferWriter<byte>(config.Document.SettingsJson.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", config.Version);
            writer.WriteString("acceptedAt", config.AcceptedAt);
            writer.WritePropertyName("settings");
            writer.WriteRawValue(config.Document.SettingsJson, skipInputValidation: false);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryReadEnvelope(byte[] bytes, [NotNullWhen(true)] out PersistedDesiredConfig? config, out string problem)
    {
        config = null;
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("acceptedAt", out var acceptedElement)
                || !acceptedElement.TryGetDateTimeOffset(out var acceptedAt))
            {
                problem = "missing or malformed \"acceptedAt\"";
                return false;
            }

            // The stored envelope is itself a valid desired document (version + settings), so one parser serves both.
            if (!DesiredConfigDocument.TryParse(bytes, out var document, out var rejection))
            {
                problem = $"{rejection.Message} (at {rejection.Path ?? "document"})";
                return false;
            }

            config = new PersistedDesiredConfig(document.Version, acceptedAt, document);
            problem = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"not valid JSON: {ex.Message}";
            return false;
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.LoadFailed(_logger, path, $"could not remove: {ex.Message}", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "Ignored a torn desired-config temp file {Path} left by an interrupted save; the last good config stays")]
        public static partial void TornTempIgnored(ILogger logger, string path);

        [LoggerMessage(EventId = 2301, Level = LogLevel.Error, Message = "Could not load the persisted desired config {Path}: {Problem}; starting without it")]
        public static partial void LoadFailed(ILogger logger, string path, string problem, Exception? exception);

        [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Loaded persisted desired config version {Version} from {Path}")]
        public static partial void Loaded(ILogger logger, long version, string path);
    }
}
