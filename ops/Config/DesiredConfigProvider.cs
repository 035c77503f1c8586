using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace StepAudio.Ops.Config;

/// <summary>
/// Serves an immutable snapshot of the desired settings; replacing the snapshot fires the reload token. Written
/// against the abstractions only, so ops needs no configuration implementation package.
/// </summary>
internal sealed class DesiredConfigProvider : IConfigurationProvider, IDisposable
{
    private readonly DesiredConfigStore _store;
    private readonly Lock _gate = new();
    private DesiredConfigSnapshot _snapshot = DesiredConfigSnapshot.Empty;
    private CancellationTokenSource _reload = new();
    private bool _loaded;

    public DesiredConfigProvider(DesiredConfigStore store) => _store = store;

    public DesiredConfigSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public void Load()
    {
        lock (_gate)
        {
            // Only the first load reads the disk: afterwards the live snapshot is at least as new as the file.
            if (_loaded)
            {
                return;
            }

            _loaded = true;
        }

        if (_store.TryLoad(out var persisted))
        {
            Replace(new DesiredConfigSnapshot(persisted.Version, persisted.AcceptedAt, persisted.Document.Settings), signal: false);
        }
    }

    public void Replace(DesiredConfigSnapshot snapshot) => Replace(snapshot, signal: true);

    public bool TryGet(string key, out string? value) => Snapshot.Settings.TryGetValue(key, out value);

    public void Set(string key, string? value)
    {
        lock (_gate)
        {
            var current = _snapshot;
            var copy = new Dictionary<string, string?>(current.Settings, StringComparer.OrdinalIgnoreCase) { [key] = value };
            Volatile.Write(ref _snapshot, current with { Settings = copy });
        }
    }

    /// <summary>Called by the configuration root when it is disposed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _reload.Dispose();
        }
    }

    public IChangeToken GetReloadToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_reload.Token);
        }
    }

    public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
    {
        var results = new List<string>(earlierKeys);
        foreach (var key in Snapshot.Settings.Keys)
        {
            if (TryChildSegment(key, parentPath, out var segment))
            {
                results.Add(segment);
            }
        }

        results.Sort(StringComparer.OrdinalIgnoreCase);
        return results;
    }

    private static bool TryChildSegment(string key, string? parentPath, [NotNullWhen(true)] out string? segment)
    {
        var start = 0;
        if (parentPath is not null)
        {
            if (key.Length <= parentPath.Length
                || !key.StartsWith(parentPath, StringComparison.OrdinalIgnoreCase)
                || key[parentPath.Length] != ':')
            {
                segment = null;
                return false;
            }

            start = parentPath.Length + 1;
        }

        var end = key.IndexOf(':', start);
        segment = end < 0 ? key[start..] : key[start..end];
        return true;
    }

    private void Replace(DesiredConfigSnapshot snapshot, bool signal)
    {
        CancellationTokenSource? previous = null;
        lock (_gate)
        {
            Volatile.Write(ref _snapshot, snapshot);
            if (signal)
            {
                previous = _reload;
                _reload = new CancellationTokenSource();
            }
        }

        // Not disposed: a consumer may still be registering on the old token; a timer-less source needs no disposal.
        previous?.Cancel();
    }
}
