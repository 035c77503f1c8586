using System.Net;
using System.Net.Sockets;
using StepAudio.Engine.Link;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

public sealed class GpuServerClientFaultTests : StandInTestBase
{
    private const string LongText = "This sentence is long enough that its speech takes many tokens to stream back.";

    [Fact]
    public async Task StreamChatAsync_WhenServerAnswers500_ThenHttpErrorCarriesStatusAndBody()
    {
        Server.Options.FailWithStatus = 500;
        using var client = new GpuServerClient(ClientOptions());

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")])));

        Assert.Equal(GpuServerErrorKind.HttpError, ex.Kind);
        Assert.Equal(500, ex.StatusCode);
        Assert.Contains("HTTP 500", ex.Message);
        Assert.Contains("The stand-in was told to fail this request.", ex.Message);
    }

    [Fact]
    public async Task StreamChatAsync_WhenModelNameIsWrong_ThenHttpError404NamesTheModel()
    {
        using var client = new GpuServerClient(ClientOptions(o => o.ChatModel = "no-such-model"));

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")])));

        Assert.Equal(404, ex.StatusCode);
        Assert.Contains("no-such-model", ex.Message);
    }

    [Fact]
    public async Task StreamChatAsync_WhenServerDropsMidStream_ThenStreamDroppedAfterTheTokensItSent()
    {
        Server.Options.DropAfterTokens = 3;
        using var client = new GpuServerClient(ClientOptions());
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<GpuServerException>(async () =>
        {
            await foreach (string delta in client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "<audio_1><audio_2>")]))
            {
                received.Add(delta);
            }
        });

        Assert.Equal(GpuServerErrorKind.StreamDropped, ex.Kind);
        Assert.Equal(["I", " heard", " 2"], received);
        Assert.Equal(1, Server.DroppedGenerations);
    }

    [Fact]
    public async Task StreamTtsAsync_WhenServerDropsMidStream_ThenStreamDropped()
    {
        Server.Options.DropAfterTokens = 10;
        using var client = new GpuServerClient(ClientOptions());
        int[] prompt = await TtsPromptAsync(client, LongText);

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamTtsAsync(prompt)));

        Assert.Equal(GpuServerErrorKind.StreamDropped, ex.Kind);
        Assert.Contains("after 10 tokens", ex.Message);
    }

    [Fact]
    public async Task StreamTtsAsync_WhenTokenIsCancelledMidStream_ThenServerSeesTheGenerationCancelled()
    {
        Server.Options.TokenInterval = TimeSpan.FromMilliseconds(20);
        using var client = new GpuServerClient(ClientOptions());
        int[] prompt = await TtsPromptAsync(client, LongText);
        using var cancel = new CancellationTokenSource();
        int received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int id in client.StreamTtsAsync(prompt, cancel.Token))
            {
                if (++received == 5)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        await Server.WaitForCancelledAsync(1, WaitLimit);
        Assert.Equal(5, received);
        Assert.Equal(0, Server.CompletedGenerations);
    }

    [Fact]
    public async Task StreamTtsAsync_WhenConsumerBreaksOutEarly_ThenServerSeesTheGenerationCancelled()
    {
        Server.Options.TokenInterval = TimeSpan.FromMilliseconds(20);
        using var client = new GpuServerClient(ClientOptions());
        int[] prompt = await TtsPromptAsync(client, LongText);

        await foreach (int id in client.StreamTtsAsync(prompt))
        {
            break;
        }

        await Server.WaitForCancelledAsync(1, WaitLimit);
        Assert.Equal(0, Server.CompletedGenerations);
    }

    [Fact]
    public async Task StreamChatAsync_WhenCancelledWhileWaitingForTheFirstToken_ThenServerSeesTheGenerationCancelled()
    {
        Server.Options.FirstTokenDelay = TimeSpan.FromSeconds(30);
        using var client = new GpuServerClient(ClientOptions(o => o.FirstTokenTimeout = TimeSpan.FromMinutes(1)));
        using var cancel = new CancellationTokenSource();
        Task<List<string>> chat = CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")], cancel.Token));

        await Server.WaitForStartedAsync(1, WaitLimit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chat);
        await Server.WaitForCancelledAsync(1, WaitLimit);
    }

    [Fact]
    public async Task StreamChatAsync_WhenFirstTokenIsLate_ThenFirstTokenTimeoutAndServerSeesTheAbort()
    {
        Server.Options.FirstTokenDelay = TimeSpan.FromSeconds(30);

        // JIT the request path with a patient client first, then connect the timed one: on a loaded machine a cold
        // first request can spend a short limit before the server sees it (then there is no generation to abort),
        // and the warm-up itself is bound by the same limit. The limit is still far below the server's delay.
        using (var patient = new GpuServerClient(ClientOptions(o => o.FirstTokenTimeout = TimeSpan.FromMinutes(1))))
        {
            await patient.TokenizeAsync("warm", patient.Options.TtsModel, addSpecialTokens: true);
        }

        using var client = new GpuServerClient(ClientOptions(o => o.FirstTokenTimeout = TimeSpan.FromSeconds(2)));
        await client.TokenizeAsync("warm", client.Options.TtsModel, addSpecialTokens: true);
        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")])));

        Assert.Equal(GpuServerErrorKind.FirstTokenTimeout, ex.Kind);
        Assert.Contains("2000 ms", ex.Message);
        await Server.WaitForCancelledAsync(1, WaitLimit);
    }

    [Fact]
    public async Task StreamChatAsync_WhenTokensStall_ThenIdleTimeoutAfterTheFirstToken()
    {
        Server.Options.TokenInterval = TimeSpan.FromSeconds(30);
        using var client = new GpuServerClient(ClientOptions(o => o.IdleTokenTimeout = TimeSpan.FromMilliseconds(300)));
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<GpuServerException>(async () =>
        {
            await foreach (string delta in client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")]))
            {
                received.Add(delta);
            }
        });

        Assert.Equal(GpuServerErrorKind.IdleTimeout, ex.Kind);
        Assert.Equal(["I"], received);
    }

    [Fact]
    public async Task StreamTtsAsync_WhenTheConsumerIsSlowerThanTheIdleTimeout_ThenTheStreamDoesNotTimeOut()
    {
        TimeSpan idle = TimeSpan.FromMilliseconds(100);
        Server.Options.TokenInterval = idle / 5; // the server itself never goes quiet for long
        using var client = new GpuServerClient(ClientOptions(o => o.IdleTokenTimeout = idle));
        int[] prompt = await TtsPromptAsync(client, "Slow");
        int received = 0;

        await foreach (int id in client.StreamTtsAsync(prompt))
        {
            if (received++ < 2)
            {
                // The consumer (think of a vocoder applying back-pressure) holds each of the first tokens
                // longer than the idle timeout; only the server's silence may count against it.
                await Task.Delay(idle * 3);
            }
        }

        Assert.Equal(12, received);
    }

    [Fact]
    public async Task StreamChatAsync_WhenNothingListens_ThenUnreachable()
    {
        using var client = new GpuServerClient(new GpuServerOptions { BaseAddress = new Uri($"http://127.0.0.1:{UnusedPort()}/") });

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => CollectAsync(client.StreamChatAsync([new ChatMessage(ChatMessage.Human, "x")])));

        Assert.Equal(GpuServerErrorKind.Unreachable, ex.Kind);
        Assert.Contains("unreachable", ex.Message);
    }

    [Fact]
    public async Task TokenizeAsync_WhenNothingListens_ThenUnreachable()
    {
        using var client = new GpuServerClient(new GpuServerOptions { BaseAddress = new Uri($"http://127.0.0.1:{UnusedPort()}/") });

        var ex = await Assert.ThrowsAsync<GpuServerException>(() => client.TokenizeAsync("x", "step-audio-tts", addSpecialTokens: true));

        Assert.Equal(GpuServerErrorKind.Unreachable, ex.Kind);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
