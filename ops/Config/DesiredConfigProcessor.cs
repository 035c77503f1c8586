using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StepAudio.Ops.Config;

/// <summary>What became of one <c>config/desired</c> message.</summary>
public enum DesiredConfigDecisionKind
{
    /// <summary>Valid, newer, persisted: acknowledge, then <see cref="DesiredConfigProcessor.Apply"/>.</summary>
    Accepted,

    /// <summary>The version already live came again (a redelivery): nothing to do but report it unchanged.</summary>
    Duplicate,

    /// <summary>Refused; the last good config stays on disk and live.</summary>
    Rejected,
}

/// <summary>The outcome of <see cref="DesiredConfigProcessor.Evaluate"/>.</summary>
public sealed class DesiredConfigDecision
{
    private DesiredConfigDecision(DesiredConfigDecisionKind kind, DesiredConfigDocument? document, DesiredConfigRejection? rejection)
    {
        Kind = kind;
        Document = document;
        Rejection = rejection;
    }

    public DesiredConfigDecisionKind Kind { get; }

    public DesiredConfigDocument? Document { get; }

    public DesiredConfigRejection? Rejection { get; }

    internal static DesiredConfigDecision Accepted(DesiredConfigDocument document) => new(DesiredConfigDecisionKind.Accepted, document, null);

    internal static DesiredConfigDecision Duplicate(DesiredConfigDocument document) => new(DesiredConfigDecisionKind.Duplicate, document, null);

    internal static DesiredConfigDecision Rejected(DesiredConfigRejection rejection) => new(DesiredConfigDecisionKind.Rejected, null, rejection);
}

/// <summary>
/// The desired-config pipeline in the order the fleet relies on: parse, check the version is newer than the live one,
/// run the host's validators, persist atomically (<see cref="Evaluate"/>); the caller acknowledges; then apply live
/// and report (<see cref="Apply"/>). Nothing is applied or persisted unless every step before it succeeded.
/// </summary>
public sealed partial class DesiredConfigProcessor
{
    private readonly DesiredConfigSource _source;
    private readonly IDesiredConfigValidator[] _validators;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxPayloadBytes;
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<string> _settable;

    /// <param name="settable">The settings a fleet may set, published with every report (see <see cref="DesiredConfigReport.Settable"/>).</param>
    public DesiredConfigProcessor(
        DesiredConfigSource source,
        IEnumerable<IDesiredConfigValidator> validators,
        int maxPayloadBytes,
        ILogger<DesiredConfigProcessor>? logger = null,
        TimeProvider? time = null,
        IReadOnlyList<string>? settable = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 16);
        _source = source;
        _validators = [.. validators];
        _maxPayloadBytes = maxPayloadBytes;
        _logger = logger ?? NullLogger<DesiredConfigProcessor>.Instance;
        _time = time ?? TimeProvider.System;
        _settable = settable ?? [];
        _source.Load();
    }

    /// <summary>Version live now (0 before any document).</summary>
    public long CurrentVersion => _source.Version;

    /// <summary>Parses, version-checks, validates and (when accepted) persists a document. Never throws on bad input.</summary>
    public DesiredConfigDecision Evaluate(ReadOnlyMemory<byte> payload)
    {
        lock (_gate)
        {
            var decision = EvaluateCore(payload);
            if (decision.Rejection is { } rejection)
            {
                Log.Rejected(_logger, rejection.Version ?? 0, rejection.Code, rejection.Path ?? "-", rejection.Message);
            }
            else if (decision.Kind == DesiredConfigDecisionKind.Duplicate)
            {
                Log.DuplicateIgnored(_logger, decision.Document!.Version);
            }

            return decision;
        }
    }

    /// <summary>Applies an accepted document live (raising configuration reload) and returns the report to publish.</summary>
    public DesiredConfigReport Apply(DesiredConfigDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        lock (_gate)
        {
            switch (decision.Kind)
            {
                case DesiredConfigDecisionKind.Accepted:
                    var now = _time.GetUtcNow();
                    _source.Apply(decision.Document!, now);
                    Log.Applied(_logger, decision.Document!.Version, decision.Document.Settings.Count);
                    return new DesiredConfigReport(decision.Document.Version, DesiredConfigReport.Applied, now) { Settable = _settable };
                case DesiredConfigDecisionKind.Duplicate:
                    return new DesiredConfigReport(_source.Version, DesiredConfigReport.Unchanged, _source.AppliedAt ?? _time.GetUtcNow()) { Settable = _settable };
                default:
                    throw new InvalidOperationException("A rejected desired config cannot be applied.");
            }
        }
    }

    private DesiredConfigDecision EvaluateCore(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            return DesiredConfigDecision.Rejected(new DesiredConfigRejection(
                null, DesiredConfigRejectionCodes.TooLarge, $"Document is {payload.Length} bytes; the limit is {_maxPayloadBytes}.", null));
        }

        if (!DesiredConfigDocument.TryParse(payload, out var document, out var parseRejection))
        {
            return DesiredConfigDecision.Rejected(parseRejection);
        }

        var current = _source.Version;
        if (document.Version == current)
        {
            return DesiredConfigDecision.Duplicate(document);
        }

        if (document.Version < current)
        {
            return DesiredConfigDecision.Rejected(new DesiredConfigRejection(
                document.Version,
                DesiredConfigRejectionCodes.StaleVersion,
                $"Version {document.Version} is older than the live version {current}; versions must increase.",
                "version"));
        }

        var candidate = new DesiredConfigCandidate(document.Version, document.Settings);
        foreach (var validator in _validators)
        {
            DesiredConfigValidation result;
            try
            {
                result = validator.Validate(candidate);
            }
#pragma warning disable CA1031 // A validator bug must turn into a rejection with its reason, not take the link down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return DesiredConfigDecision.Rejected(new DesiredConfigRejection(
                    document.Version, DesiredConfigRejectionCodes.ValidatorFailed, $"{validator.GetType().Name} failed: {ex.Message}", null));
            }

            if (!result.IsValid)
            {
                return DesiredConfigDecision.Rejected(new DesiredConfigRejection(document.Version, result.Code, result.Message!, result.Path));
            }
        }

        try
        {
            _source.Store.Save(new PersistedDesiredConfig(document.Version, _time.GetUtcNow(), document));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DesiredConfigDecision.Rejected(new DesiredConfigRejection(
                document.Version, DesiredConfigRejectionCodes.PersistFailed, $"Could not persist to {_source.Store.FilePath}: {ex.Message}", null));
        }

        return DesiredConfigDecision.Accepted(document);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2310, Level = LogLevel.Information, Message = "Desired config version {Version} applied ({Count} settings)")]
        public static partial void Applied(ILogger logger, long version, int count);

        [LoggerMessage(EventId = 2311, Level = LogLevel.Warning, Message = "Desired config version {Version} rejected ({Code} at {Path}): {Reason}")]
        public static partial void Rejected(ILogger logger, long version, string code, string path, string reason);

        [LoggerMessage(EventId = 2312, Level = LogLevel.Information, Message = "Desired config version {Version} is already live; ignored")]
        public static partial void DuplicateIgnored(ILogger logger, long version);
    }
}
