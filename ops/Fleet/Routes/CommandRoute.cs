using System.Collections.Concurrent;
using StepAudio.Ops.Commands;

namespace StepAudio.Ops.Fleet.Routes;

/// <summary>
/// <c>cmd/&lt;name&gt;</c>: each command runs beside the inbound loop in one of a bounded number of slots, and its reply
/// goes through the outbox to the request's MQTT 5 response topic (else <c>cmd/&lt;name&gt;/reply</c>) with its
/// correlation data, so a reply outlives a connection drop.
/// </summary>
internal sealed class CommandRoute : IDisposable
{
    /// <summary>How many handlers run at once; further commands wait, unacknowledged, in the inbound queue.</summary>
    public const int MaxConcurrentCommands = 8;

    private readonly CommandDispatcher _commands;
    private readonly FleetTopics _topics;
    private readonly Action<OutboxMessage> _enqueue;
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentCommands, MaxConcurrentCommands);

    public CommandRoute(CommandDispatcher commands, FleetTopics topics, Action<OutboxMessage> enqueue)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(enqueue);
        _commands = commands;
        _topics = topics;
        _enqueue = enqueue;
    }

    /// <summary>The command a topic of this device's <c>cmd/+</c> subscription names.</summary>
    public bool TryMatch(string topic, out string name) => _topics.TryParseCommand(topic, out name);

    /// <summary>
    /// Takes a slot, acknowledges and starts the handler; returns once it runs. The handler is cancelled by
    /// <paramref name="linkStopping"/> (the link's end), not by the connection's end.
    /// </summary>
    public async Task StartAsync(string name, InboundMessage message, CancellationToken linkStopping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);

        // A slot first, then the acknowledgement: a command is never acknowledged and then left unrun.
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }

        var replyTopic = FleetTopics.IsExactTopic(message.ResponseTopic) ? message.ResponseTopic! : _topics.CommandReply(name);
        var correlation = message.CorrelationData ?? [];
        var run = Task.Run(
            async () =>
            {
                try
                {
                    var reply = await _commands.DispatchAsync(name, message.Payload, linkStopping).ConfigureAwait(false);
                    _enqueue(new OutboxMessage(replyTopic, reply) { CorrelationData = correlation });
                }
                finally
                {
                    _slots.Release();
                }
            },
            CancellationToken.None);
        _running.TryAdd(run, 0);
        _ = run.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Completes when every started handler has finished (their replies queued), whatever their outcome.</summary>
    public Task DrainAsync() => Task.WhenAll(_running.Keys).ContinueWith(static _ => { }, TaskScheduler.Default);

    /// <summary>Releases the slots; call after <see cref="DrainAsync"/>.</summary>
    public void Dispose() => _slots.Dispose();
}
