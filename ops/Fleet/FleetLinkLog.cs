using Microsoft.Extensions.Logging;

namespace StepAudio.Ops.Fleet;

/// <summary>The fleet link's log messages (event ids 2000-2099), shared by the supervisor and its routes.</summary>
internal static partial class FleetLinkLog
{
    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Fleet link talks to the remote broker {Endpoint} without TLS (Fleet:AllowPlaintext is true): credentials and config cross the network in clear")]
    public static partial void PlaintextBroker(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Fleet link online at {Endpoint} as {Device}")]
    public static partial void Connected(ILogger logger, string endpoint, string device);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Fleet link cannot connect to {Endpoint}: {Problem}; the device keeps running offline and retries")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, string problem, Exception? exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Fleet link to {Endpoint} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Fleet link retries in {DelayMs:0} ms (attempt {Attempt})")]
    public static partial void Retrying(ILogger logger, double delayMs, int attempt);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Fleet link to {Endpoint} closed; state set to offline")]
    public static partial void Stopped(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Could not publish \"offline\" before disconnecting: {Reason}; the broker's will covers it")]
    public static partial void OfflineNotPublished(ILogger logger, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Broker refused the subscription to {Topic}: {Code}")]
    public static partial void SubscriptionRefused(ILogger logger, string topic, string code);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Outbox full ({Capacity}): dropped the oldest message ({Dropped} dropped so far)")]
    public static partial void OutboxFull(ILogger logger, int capacity, long dropped);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Broker refused a message on {Topic}: {Reason}; it was dropped")]
    public static partial void MessageRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Message on unexpected topic {Topic} ignored")]
    public static partial void UnexpectedTopic(ILogger logger, string topic);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Retained desired config cleared by the fleet; the live config stays")]
    public static partial void DesiredCleared(ILogger logger);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "Processing a message on {Topic} failed; it was answered and acknowledged so it cannot come back")]
    public static partial void InboundFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Direct message on {Topic} not sent: {Reason}")]
    public static partial void DirectPublishFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "Handler of the direct subscription {Topic} threw; the message was dropped")]
    public static partial void DirectHandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "The embedded broker could not start on 127.0.0.1:{Port}; retrying")]
    public static partial void EmbeddedBrokerFailed(ILogger logger, int port, Exception exception);
}
