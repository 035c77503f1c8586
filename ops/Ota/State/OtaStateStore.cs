using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StepAudio.Ops.Storage;

namespace StepAudio.Ops.Ota.State;

/// <summary>
/// Keeps <see cref="OtaRecord"/> in <c>{StateDirectory}/ota-state.json</c>, replaced atomically
/// (<see cref="AtomicFile"/>) on every save. A leftover temp file on load is an interrupted save:
/// the previous record stands and the temp file is removed.
/// </summary>
public sealed partial class OtaStateStore
{
    /// <summary>The state file's name.</summary>
    public const string FileName = "ota-state.json";

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Action<string>? _beforeRename;

    /// <summary>Creates the store.</summary>
    /// <param name="stateDirectory">The directory (created if missing).</param>
    /// <param name="logger">Log.</param>
    /// <param name="beforeRename">Passed to <see cref="AtomicFile.Write"/>: the point where tests cut the power.</param>
    public OtaStateStore(string stateDirectory, ILogger<OtaStateStore> logger, Action<string>? beforeRename = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        Directory.CreateDirectory(stateDirectory);
        _path = Path.Combine(Path.GetFullPath(stateDirectory), FileName);
        _logger = logger;
        _beforeRename = beforeRename;
    }

    /// <summary>The state file.</summary>
    public string FilePath => _path;

    /// <summary>Reads the record; an absent file is <see cref="OtaState.Idle"/>. A corrupt file throws <see cref="OtaStateCorruptException"/>.</summary>
    public OtaRecord Load()
    {
        var temp = _path + AtomicFile.TempSuffix;
        if (File.Exists(temp))
        {
            Log.InterruptedSave(_logger, temp);
            File.Delete(temp);
            AtomicFile.SyncDirectory(Path.GetDirectoryName(_path)!);
        }

        if (!File.Exists(_path))
        {
            return new OtaRecord();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(_path), OtaJsonContext.Default.OtaRecord)
                ?? throw new OtaStateCorruptException(_path, "the file holds null.");
        }
        catch (JsonException ex)
        {
            throw new OtaStateCorruptException(_path, ex.Message, ex);
        }
    }

    /// <summary>Writes the record atomically and durably.</summary>
    public void Save(OtaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(record, OtaJsonContext.Default.OtaRecord), _beforeRename);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2580, Level = LogLevel.Warning, Message = "Found {Temp} from a save that was cut short; the previous OTA state stands.")]
        public static partial void InterruptedSave(ILogger logger, string temp);
    }
}

/// <summary>The OTA state file cannot be read.</summary>
public sealed class OtaStateCorruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OtaStateCorruptException(string path, string detail, Exception? inner = null)
        : base($"OTA state file '{path}' is unreadable: {detail}", inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public OtaStateCorruptException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public OtaStateCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public OtaStateCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(OtaRecord))]
internal sealed partial class OtaJsonContext : JsonSerializerContext;
