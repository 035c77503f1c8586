using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Ota;

namespace StepAudio.Appliance.Ota;

/// <summary>
/// The OTA agent's channel over the running fleet link: jobs from <c>ota/job</c> (a QoS 1
/// subscription, so a job sent while the device is offline waits in its broker session), status
/// to <c>ota/status</c> and the outcome as an <c>ota_outcome</c> event, both through the link's
/// outbox. A job that does not parse never reaches the agent: it is answered on <c>ota/status</c>
/// with <c>rejected</c>, reason <c>MalformedJob</c> and the offending field.
/// </summary>
public sealed partial class FleetOtaChannel : IOtaChannel, IDisposable
{
    /// <summary>The event type of the outcome on the <c>events</c> topic.</summary>
    public const string OutcomeEventType = "ota_outcome";

    /// <summary>The reason a status gives for a job that could not be read.</summary>
    public const string MalformedJobReason = "MalformedJob";

    // Jobs are rare; a flood of them keeps only the newest few rather than growing without bound.
    private const int QueueLength = 16;

    private readonly FleetLink _link;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _stateGate = new();
    private OtaState? _reportedState;
    private readonly Channel<byte[]> _incoming = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    /// <summary>Subscribes to the device's <c>ota/job</c> on every connection of <paramref name="link"/>.</summary>
    public FleetOtaChannel(FleetLink link, TimeProvider time, ILogger<FleetOtaChannel> logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _link = link;
        _time = time;
        _logger = logger;
        link.AddDirectSubscription(link.Topics.OtaJob, OnJobMessage, atLeastOnce: true);
    }

    /// <summary>The state the agent last reported, for the <c>state</c> field of a malformed-job status; null until it reported one.</summary>
    public OtaState? ReportedState
    {
        get
        {
            lock (_stateGate)
            {
                return _reportedState;
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OtaJob> ReadJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var payload in _incoming.Reader.ReadAllAsync(cancellationToken))
        {
            OtaJob job;
            try
            {
                job = OtaJobJson.Parse(payload);
            }
            catch (OtaJobFormatException ex)
            {
                await RejectMalformedAsync(payload, ex, cancellationToken);
                continue;
            }

            Log.JobReceived(_logger, job.JobId, job.Version);
            yield return job;
        }
    }

    /// <inheritdoc />
    public Task PublishStatusAsync(OtaStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        lock (_stateGate)
        {
            _reportedState = status.State;
        }

        return _link.PublishOnDeviceTopicAsync(_link.Topics.OtaStatus, OtaStatusJson.Write(status), cancellationToken: cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public Task PublishOutcomeAsync(OtaOutcomeEvent outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var data = new JsonObject
        {
            ["jobId"] = outcome.JobId,
            ["version"] = outcome.Version,
            ["outcome"] = outcome.Outcome.ToString(),
            ["reason"] = outcome.Reason.ToString(),
            ["message"] = outcome.Message,
            ["runningSlot"] = outcome.RunningSlot,
            ["at"] = outcome.At,
        };
        return _link.PublishEventAsync(OutcomeEventType, data, cancellationToken).AsTask();
    }

    /// <summary>Ends <see cref="ReadJobsAsync"/> once the queued jobs are read.</summary>
    public void Dispose() => _incoming.Writer.TryComplete();

    // Runs on the MQTT receive loop: hand over and return.
    private void OnJobMessage(string topic, ReadOnlyMemory<byte> payload) => _incoming.Writer.TryWrite(payload.ToArray());

    private Task RejectMalformedAsync(byte[] payload, OtaJobFormatException error, CancellationToken cancellationToken)
    {
        var jobId = TryReadJobId(payload);
        Log.MalformedJob(_logger, jobId ?? "(none)", error.Field, error.Message);
        var document = new JsonObject
        {
            ["jobId"] = jobId,
            ["version"] = null,
            ["reason"] = MalformedJobReason,
            ["field"] = error.Field,
            ["message"] = error.Message,
            ["at"] = _time.GetUtcNow(),
            ["rejected"] = true,
            ["final"] = true,
        };
        if (ReportedState is { } state)
        {
            document["state"] = state.ToString();
        }

        return _link.PublishOnDeviceTopicAsync(_link.Topics.OtaStatus, JsonSerializer.SerializeToUtf8Bytes(document), cancellationToken: cancellationToken).AsTask();
    }

    /// <summary>The job id of a document that is otherwise unusable, so the fleet can tell which job was refused.</summary>
    private static string? TryReadJobId(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("jobId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "OTA job {JobId} for version {Version} received from the fleet")]
        public static partial void JobReceived(ILogger logger, string jobId, string version);

        [LoggerMessage(EventId = 3602, Level = LogLevel.Warning, Message = "OTA job {JobId} refused: field {Field} is wrong ({Reason})")]
        public static partial void MalformedJob(ILogger logger, string jobId, string field, string reason);
    }
}
