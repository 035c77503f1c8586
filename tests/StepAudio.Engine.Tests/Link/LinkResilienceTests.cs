using System.Net;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Resilience;
using StepAudio.Engine.Tests.Fakes;
using StepAudio.StandInServer;
using StepAudio.TestSupport.Fakes;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class LinkResilienceTests : StandInTestBase
{
    private static readonly ChatMessage[] Question = [new ChatMessage(ChatMessage.Human, "<audio_1><audio_2>")];

    [Fact]
    public async Task StreamChatAsync_When503ThenSuccessBeforeTheFirstByte_ThenRetriedAndAnswered()
    {
        Server.Options.FailFirstRequests = 2;
        using var client = new GpuServerClient(ClientOptions(o => Fast(o, retries: 2)));

        var text = string.Concat(await CollectAsync(client.StreamChatAsync(Question)));

        Assert.StartsWith("I heard 2", text);
        Assert.Equal(2, Server.TransientFailures);
        Assert.Equal(1, Server.CompletedGenerations);
        Assert.Equal(3, Server.ChatRequestBodies.Count);
    }

    [Fact]
    public async Task StreamChatAsync_WhenEveryAttemptFails_ThenHttpErrorAfterTheRetriesRanOut()
    {
        Server.Options.FailFirstRequests = 100;
        using var client = new GpuServerClient(ClientOptions(o => Fast(o, retries: 2)));

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));

        Assert.Equal(GpuServerErrorKind.HttpError, ex.Kind);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(3, Server.TransientFailures);
    }

    [Fact]
    public async Task StreamChatAsync_WhenServerRejectsTheRequestOnItsMerits_ThenNotRetried()
    {
        using var client = new GpuServerClient(ClientOptions(o =>
        {
            Fast(o, retries: 3);
            o.ChatModel = "no-such-model";
        }));

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));

        Assert.Equal(404, ex.StatusCode);
        Assert.Single(Server.ChatRequestBodies);
    }

    [Fact]
    public async Task StreamChatAsync_WhenStreamDropsMidReply_ThenStreamDroppedAndNeverRetried()
    {
        Server.Options.DropAfterTokens = 2;
        using var client = new GpuServerClient(ClientOptions(o => Fast(o, retries: 3)));
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<GpuServerException>(async () =>
        {
            await foreach (var delta in client.StreamChatAsync(Question))
            {
                received.Add(delta);
            }
        });

        Assert.Equal(GpuServerErrorKind.StreamDropped, ex.Kind);
        Assert.Contains("after 2 tokens", ex.Message);
        Assert.Equal(["I", " heard"], received);
        Assert.Single(Server.ChatRequestBodies);
        Assert.Equal(1, Server.StartedGenerations);
    }

    [Fact]
    public async Task StreamChatAsync_WhenFirstTokenIsSlowerThanTheLimit_ThenFirstTokenTimeoutWithoutRetry()
    {
        Server.Options.FirstTokenDelay = TimeSpan.FromSeconds(30);
        using var client = new GpuServerClient(ClientOptions(o =>
        {
            Fast(o, retries: 3);

            // Far below the server's delay, and long enough that the request reaches the server on a loaded machine.
            o.FirstTokenTimeout = TimeSpan.FromSeconds(2);
        }));

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));

        Assert.Equal(GpuServerErrorKind.FirstTokenTimeout, ex.Kind);
        Assert.Single(Server.ChatRequestBodies);
        Assert.Equal(CircuitState.Closed, client.CircuitState);
    }

    [Fact]
    public async Task StreamChatAsync_WhenBreakerThresholdIsReached_ThenFailsFastWithoutContactingTheServer()
    {
        Server.Options.FailWithStatus = 500;
        var time = new ManualTimeProvider();
        using var client = new GpuServerClient(ClientOptions(o => Fast(o, retries: 0, breakerFailures: 3)), timeProvider: time);

        for (var i = 0; i < 3; i++)
        {
            var failure = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));
            Assert.Equal(GpuServerErrorKind.HttpError, failure.Kind);
        }

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));

        Assert.Equal(GpuServerErrorKind.CircuitOpen, ex.Kind);
        Assert.Contains("failed too often", ex.Message);
        Assert.Equal(3, Server.ChatRequestBodies.Count);
        Assert.Equal(CircuitState.Open, client.CircuitState);
    }

    [Fact]
    public async Task StreamChatAsync_WhenBreakDurationPassesAndTheServerRecovered_ThenTheProbeClosesTheBreaker()
    {
        Server.Options.FailWithStatus = 500;
        var time = new ManualTimeProvider();
        using var client = new GpuServerClient(ClientOptions(o => Fast(o, retries: 0, breakerFailures: 2)), timeProvider: time);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));
        }

        Server.Options.FailWithStatus = 0;
        var stillOpen = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));
        time.Advance(TimeSpan.FromSeconds(16));
        var text = string.Concat(await CollectAsync(client.StreamChatAsync(Question)));

        Assert.Equal(GpuServerErrorKind.CircuitOpen, stillOpen.Kind);
        Assert.StartsWith("I heard 2", text);
        Assert.Equal(CircuitState.Closed, client.CircuitState);
        Assert.Equal(3, Server.ChatRequestBodies.Count);
    }

    [Fact]
    public async Task StreamChatAsync_WhenServerIsUnreachable_ThenUnreachableUntilTheBreakerOpens()
    {
        int port = FreePort();
        var time = new ManualTimeProvider();
        using var client = new GpuServerClient(
            new GpuServerOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Resilience = { RetryAttempts = 0, BreakerFailures = 2 } },
            timeProvider: time);

        var first = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));
        var second = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));
        var third = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync(Question)));

        Assert.Equal(GpuServerErrorKind.Unreachable, first.Kind);
        Assert.Equal(GpuServerErrorKind.Unreachable, second.Kind);
        Assert.Equal(GpuServerErrorKind.CircuitOpen, third.Kind);
    }

    [Fact]
    public async Task StreamChatAsync_WhenProtocolIsHttp2OverCleartext_ThenTheServerSeesH2cWithPriorKnowledge()
    {
        await using var h2c = await StandInGpuServer.StartAsync(new StandInOptions { Http2Only = true });
        using var client = new GpuServerClient(new GpuServerOptions { BaseAddress = h2c.BaseAddress, Resilience = { Protocol = LinkHttpProtocol.Http2 } });

        var text = string.Concat(await CollectAsync(client.StreamChatAsync(Question)));

        Assert.StartsWith("I heard 2", text);
        Assert.Equal("HTTP/2", h2c.LastProtocol);
    }

    [Fact]
    public async Task StreamChatAsync_WhenProtocolIsNegotiatedOverCleartext_ThenHttp11IsUsed()
    {
        using var client = new GpuServerClient(ClientOptions());

        await CollectAsync(client.StreamChatAsync(Question));

        Assert.Equal("HTTP/1.1", Server.LastProtocol);
    }

    [Fact]
    public void Validate_WhenResilienceValuesAreOutOfRange_ThenFailureNamesTheField()
    {
        var options = new GpuServerOptions { Resilience = { RetryAttempts = 50, BreakerFailures = 1 } };

        var result = new GpuServerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("RetryAttempts", result.FailureMessage);
        Assert.Contains("BreakerFailures", result.FailureMessage);
    }

    private static void Fast(GpuServerOptions options, int retries, int breakerFailures = 50)
    {
        options.Resilience.RetryAttempts = retries;
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
        options.Resilience.RetryMaxDelay = TimeSpan.FromMilliseconds(20);
        options.Resilience.BreakerFailures = breakerFailures;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
