using System.Text;
using System.Text.Json;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Fleet.Routes;

namespace StepAudio.Ops.Tests.Fleet.Routes;

/// <summary>The <c>cmd/+</c> route alone: replies, their topics and correlation data, and the bound on handlers running at once.</summary>
public sealed class CommandRouteTests : IDisposable
{
    private readonly FleetTopics _topics = new("home", "kitchen");
    private readonly List<OutboxMessage> _sent = [];
    private readonly GatedHandler _handler = new();
    private readonly CommandRoute _route;

    public CommandRouteTests()
    {
        var dispatcher = new CommandDispatcher([new PingCommandHandler(), _handler], TimeSpan.FromSeconds(30), 64 * 1024);
        _route = new CommandRoute(dispatcher, _topics, m => { lock (_sent) { _sent.Add(m); } });
    }

    [Fact]
    public async Task Start_WhenTheRequestNamesAResponseTopic_ThenTheReplyGoesThereWithItsCorrelation()
    {
        var acknowledged = false;
        var message = new InboundMessage(_topics.Command("ping"), [], "fleet/console/replies", [1, 2, 3], _ => { acknowledged = true; return Task.CompletedTask; });

        await _route.StartAsync("ping", message, CancellationToken.None, CancellationToken.None);
        await _route.DrainAsync();

        Assert.True(acknowledged);
        var reply = Assert.Single(_sent);
        Assert.Equal("fleet/console/replies", reply.Topic);
        Assert.Equal([1, 2, 3], reply.CorrelationData.ToArray());
        Assert.Equal("ok", JsonDocument.Parse(reply.Payload).RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("fleet/+/replies")]
    public async Task Start_WhenTheResponseTopicIsMissingOrAWildcard_ThenTheReplyGoesToTheDevicesReplyTopic(string? responseTopic)
    {
        var message = new InboundMessage(_topics.Command("ping"), [], responseTopic, null, _ => Task.CompletedTask);

        await _route.StartAsync("ping", message, CancellationToken.None, CancellationToken.None);
        await _route.DrainAsync();

        Assert.Equal(_topics.CommandReply("ping"), Assert.Single(_sent).Topic);
    }

    [Fact]
    public async Task Start_WhenEverySlotIsBusy_ThenTheNextCommandWaitsUnacknowledged()
    {
        for (var i = 0; i < CommandRoute.MaxConcurrentCommands; i++)
        {
            await _route.StartAsync(GatedHandler.CommandName, Message(), CancellationToken.None, CancellationToken.None);
        }

        var acknowledged = false;
        var waiting = _route.StartAsync(
            GatedHandler.CommandName,
            new InboundMessage(_topics.Command(GatedHandler.CommandName), [], null, null, _ => { acknowledged = true; return Task.CompletedTask; }),
            CancellationToken.None,
            CancellationToken.None);
        await _handler.AllStarted(CommandRoute.MaxConcurrentCommands).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(waiting.IsCompleted);
        Assert.False(acknowledged);
        _handler.Release();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        await _route.DrainAsync();
        Assert.True(acknowledged);
        Assert.Equal(CommandRoute.MaxConcurrentCommands + 1, _sent.Count);
    }

    [Fact]
    public void TryMatch_ReadsTheNameOfThisDevicesCommandsOnly()
    {
        Assert.True(_route.TryMatch(_topics.Command("say"), out var name));
        Assert.Equal("say", name);
        Assert.False(_route.TryMatch(new FleetTopics("home", "hall").Command("say"), out _));
        Assert.False(_route.TryMatch(_topics.CommandReply("say"), out _));
    }

    public void Dispose() => _route.Dispose();

    private InboundMessage Message() => new(_topics.Command(GatedHandler.CommandName), Encoding.UTF8.GetBytes("{}"), null, null, _ => Task.CompletedTask);

    /// <summary>A command that holds its slot until released, counting how many are running.</summary>
    private sealed class GatedHandler : ICommandHandler
    {
        public const string CommandName = "hold";
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _allStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;
        private int _expected = int.MaxValue;

        public string Name => CommandName;

        public Task AllStarted(int count)
        {
            Volatile.Write(ref _expected, count);
            if (Volatile.Read(ref _started) >= count)
            {
                _allStarted.TrySetResult();
            }

            return _allStarted.Task;
        }

        public void Release() => _release.TrySetResult();

        public async Task<CommandResult> HandleAsync(CommandRequest request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _started) >= Volatile.Read(ref _expected))
            {
                _allStarted.TrySetResult();
            }

            await _release.Task.WaitAsync(cancellationToken);
            return CommandResult.Ok();
        }
    }
}
