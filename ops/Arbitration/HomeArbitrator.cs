using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Fleet;

namespace StepAudio.Ops.Arbitration;

/// <summary>
/// Decides which speaker of a home answers a wake word that several of them heard. Each claims it on the home's
/// arbitration topic (<see cref="FleetTopics.HomeArbitration"/>) through the fleet link and waits
/// <see cref="HomeArbitrationOptions.WindowMs"/> for the others' claims of the same wake (heardAt within
/// <see cref="SameWakeTolerance"/> of its own); the best claim by <see cref="WakeClaimMessage.Beats"/> answers. Every
/// speaker applies the same rule to the same claims, so they agree without a second round. A speaker that sees a better
/// claim yields at once and says so in a <c>wake-yielded</c> event; the winner waits the whole window. With no home,
/// no connection or nobody else in the window, the device answers (a lost claim at worst makes two speakers answer,
/// never none).
/// </summary>
/// <remarks>
/// Claims go out at QoS 0 ahead of the outbox: a claim is worth something only inside the window, a QoS 1 retry would
/// arrive after everyone decided, and the outbox may hold older events. heardAt compares clocks across devices, which
/// therefore need NTP (well inside the one-second tolerance).
/// </remarks>
public sealed partial class HomeArbitrator
{
    /// <summary>Claims whose heardAt is this close to ours are the same wake; anything further apart is another one.</summary>
    public static readonly TimeSpan SameWakeTolerance = TimeSpan.FromSeconds(1);

    /// <summary>Claims heard before our own wake was detected, kept for the window that opens a moment later.</summary>
    private const int RecentCapacity = 32;

    private readonly FleetLink _link;
    private readonly HomeArbitrationOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<WakeClaimMessage> _recent = new(RecentCapacity);
    private readonly List<PendingClaim> _pending = [];

    public HomeArbitrator(FleetLink link, IOptions<HomeArbitrationOptions> options, ILogger<HomeArbitrator>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _options = options.Value;
        _logger = logger ?? NullLogger<HomeArbitrator>.Instance;
        _time = time ?? TimeProvider.System;
        if (_options.Enabled)
        {
            Topic = link.Topics.HomeArbitration(_options.Home);
            link.AddDirectSubscription(Topic, OnClaimReceived);
        }
    }

    /// <summary>
    /// Raised for every valid claim from another speaker of the home, on the link's receive loop (keep handlers short):
    /// for timelines and diagnostics.
    /// </summary>
    public event EventHandler<WakeClaimMessage>? ClaimHeard;

    /// <summary>The home's arbitration topic; null when the device belongs to no home.</summary>
    public string? Topic { get; }

    /// <summary>This device's id: the <see cref="WakeClaimMessage.Device"/> of every claim it makes.</summary>
    public string DeviceId => _link.Topics.DeviceId;

    /// <summary>
    /// Claims the wake for this device; true when it should answer, false when another speaker of the home heard the
    /// wake better (this device goes back to listening). Takes the arbitration window when others might be listening,
    /// nothing when the device has no home or the link is offline.
    /// </summary>
    public async Task<bool> ClaimAsync(WakeClaimMessage claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim.Device != DeviceId)
        {
            throw new ArgumentException($"The claim names device '{claim.Device}' but this arbitrator speaks for '{DeviceId}'.", nameof(claim));
        }

        if (Topic is null)
        {
            return true;
        }

        var pending = new PendingClaim(claim);
        lock (_gate)
        {
            foreach (var heard in _recent)
            {
                pending.Offer(heard);
            }

            _pending.Add(pending);
        }

        try
        {
            if (!await _link.TryPublishNowAsync(Topic, claim.ToJson(), cancellationToken).ConfigureAwait(false))
            {
                Log.AnsweredOffline(_logger, claim.Turn);
                return true;
            }

            var window = Task.Delay(_options.Window, _time, cancellationToken);
            await Task.WhenAny(pending.Beaten, window).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (pending.Beaten.IsCompleted)
            {
                var winner = await pending.Beaten.ConfigureAwait(false);
                Log.Yielded(_logger, claim.Turn, winner.Device, winner.SnrDb, claim.SnrDb);
                await _link.PublishEventAsync("wake-yielded", YieldedEvent(claim, winner), CancellationToken.None).ConfigureAwait(false);
                return false;
            }

            Log.Answering(_logger, claim.Turn, pending.Competitors);
            return true;
        }
        finally
        {
            lock (_gate)
            {
                _pending.Remove(pending);
            }
        }
    }

    /// <summary>Runs on the link's receive loop: record and offer, nothing that waits.</summary>
    private void OnClaimReceived(string topic, ReadOnlyMemory<byte> payload)
    {
        if (!WakeClaimMessage.TryParse(payload.Span, out var claim, out var problem))
        {
            Log.BadClaim(_logger, topic, problem!);
            return;
        }

        if (claim!.Device == DeviceId)
        {
            return;
        }

        lock (_gate)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(claim);
            foreach (var pending in _pending)
            {
                pending.Offer(claim);
            }
        }

        ClaimHeard?.Invoke(this, claim);
    }

    private static JsonObject YieldedEvent(WakeClaimMessage own, WakeClaimMessage winner) => new()
    {
        ["turn"] = own.Turn,
        ["keyword"] = own.Keyword,
        ["snrDb"] = own.SnrDb,
        ["score"] = own.Score,
        ["winner"] = new JsonObject
        {
            ["device"] = winner.Device,
            ["snrDb"] = winner.SnrDb,
            ["score"] = winner.Score,
        },
    };

    /// <summary>One open window: our claim, and the first better claim of the same wake if one arrived.</summary>
    private sealed class PendingClaim(WakeClaimMessage own)
    {
        private readonly TaskCompletionSource<WakeClaimMessage> _beaten = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<WakeClaimMessage> Beaten => _beaten.Task;

        /// <summary>Claims of the same wake seen so far (better or worse).</summary>
        public int Competitors { get; private set; }

        /// <summary>Called under the arbitrator's lock.</summary>
        public void Offer(WakeClaimMessage other)
        {
            if (other.Device == own.Device || (other.HeardAt - own.HeardAt).Duration() > SameWakeTolerance)
            {
                return;
            }

            Competitors++;
            if (other.Beats(own))
            {
                _beaten.TrySetResult(other);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Wake of turn {Turn}: {Winner} heard it better ({WinnerSnrDb:0.0} dB vs {OwnSnrDb:0.0} dB); back to listening")]
        public static partial void Yielded(ILogger logger, int turn, string winner, double winnerSnrDb, double ownSnrDb);

        [LoggerMessage(EventId = 2501, Level = LogLevel.Debug, Message = "Wake of turn {Turn}: answering ({Competitors} other claims in the window)")]
        public static partial void Answering(ILogger logger, int turn, int competitors);

        [LoggerMessage(EventId = 2502, Level = LogLevel.Debug, Message = "Wake of turn {Turn}: fleet link offline, answering without arbitration")]
        public static partial void AnsweredOffline(ILogger logger, int turn);

        [LoggerMessage(EventId = 2503, Level = LogLevel.Warning, Message = "Ignored a claim on {Topic}: {Problem}")]
        public static partial void BadClaim(ILogger logger, string topic, string problem);
    }
}
