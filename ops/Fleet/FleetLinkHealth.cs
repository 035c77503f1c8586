namespace StepAudio.Ops.Fleet;

/// <summary>
/// What the link's supervisor knows of its own health, kept consistent under one lock: the connection state and
/// since when it is online, the last problem and when it happened, and how many times it connected.
/// </summary>
internal sealed class FleetLinkHealth(TimeProvider time)
{
    private readonly Lock _gate = new();
    private FleetConnectionState _state = FleetConnectionState.Stopped;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private DateTimeOffset? _connectedSince;
    private long _connects;

    public FleetConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Moves to <paramref name="state"/>; false when the link was in it already (nothing to announce).</summary>
    public bool TrySet(FleetConnectionState state)
    {
        lock (_gate)
        {
            if (_state == state)
            {
                return false;
            }

            _state = state;
            _connectedSince = state == FleetConnectionState.Connected ? time.GetUtcNow() : null;
            if (state == FleetConnectionState.Connected)
            {
                _connects++;
            }

            return true;
        }
    }

    public void RecordError(string error)
    {
        lock (_gate)
        {
            _lastError = error;
            _lastErrorAt = time.GetUtcNow();
        }
    }

    /// <summary>The status for <paramref name="endpoint"/>, with the traffic counters left to the caller.</summary>
    public FleetLinkStatus Snapshot(string endpoint)
    {
        lock (_gate)
        {
            return new FleetLinkStatus(_state, endpoint, _lastError, _lastErrorAt, _connectedSince, _connects);
        }
    }
}
