using Microsoft.Extensions.Configuration;

namespace StepAudio.Ops.Config;

/// <summary>
/// The fleet's desired settings as a configuration source. The host adds it last (so it wins over appsettings and
/// environment) and registers the same instance for the link; at build it loads the persisted document, and each
/// accepted document is applied through <see cref="Apply"/>, which raises reload so IOptionsMonitor sees it.
/// </summary>
public sealed class DesiredConfigSource : IConfigurationSource, IDisposable
{
    private readonly DesiredConfigProvider _provider;

    public DesiredConfigSource(DesiredConfigStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _provider = new DesiredConfigProvider(store);
    }

    public DesiredConfigStore Store { get; }

    /// <summary>Version of the settings currently live (0 before any document).</summary>
    public long Version => _provider.Snapshot.Version;

    /// <summary>When the live version was applied (or loaded at start).</summary>
    public DateTimeOffset? AppliedAt => _provider.Snapshot.AppliedAt;

    /// <summary>The live settings, case-insensitive configuration keys.</summary>
    public IReadOnlyDictionary<string, string?> Settings => _provider.Snapshot.Settings;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    /// <summary>Loads the persisted document now (also done by the configuration builder); idempotent.</summary>
    public void Load() => _provider.Load();

    public void Dispose() => _provider.Dispose();

    /// <summary>Makes <paramref name="document"/> the live settings and signals reload.</summary>
    public void Apply(DesiredConfigDocument document, DateTimeOffset appliedAt)
    {
        ArgumentNullException.ThrowIfNull(document);
        _provider.Replace(new DesiredConfigSnapshot(document.Version, appliedAt, document.Settings));
    }
}

internal sealed record DesiredConfigSnapshot(long Version, DateTimeOffset? AppliedAt, IReadOnlyDictionary<string, string?> Settings)
{
    public static DesiredConfigSnapshot Empty { get; } =
        new(0, null, new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase));
}
