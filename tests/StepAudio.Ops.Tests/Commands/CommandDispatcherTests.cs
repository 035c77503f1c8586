using System.Text;
using System.Text.Json;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Tests.Fakes;
using StepAudio.TestSupport;

namespace StepAudio.Ops.Tests.Commands;

public sealed class CommandDispatcherTests
{
    private readonly FakeSetVolumeHandler _setVolume = new();
    private readonly CommandDispatcher _dispatcher;

    public CommandDispatcherTests() =>
        _dispatcher = new CommandDispatcher(
            [new PingCommandHandler(), _setVolume, new ThrowingCommandHandler(), new HangingCommandHandler()], TimeSpan.FromMilliseconds(200), 1024);

    private async Task<JsonElement> DispatchAsync(string name, string payload) =>
        JsonDocument.Parse(await _dispatcher.DispatchAsync(name, Encoding.UTF8.GetBytes(payload), CancellationToken.None)).RootElement;

    [Fact]
    public async Task DispatchAsync_WhenPing_ThenOkWithPongAndEcho()
    {
        var reply = await DispatchAsync("ping", """{"echo": "x"}""");

        Assert.Equal(CommandDispatcher.SchemaVersion, reply.GetProperty("schema").GetInt32());
        Assert.Equal("ok", reply.GetProperty("status").GetString());
        Assert.True(reply.GetProperty("result").GetProperty("pong").GetBoolean());
        Assert.Equal("x", reply.GetProperty("result").GetProperty("echo").GetString());
    }

    [Theory]
    [InlineData("nope", "{}", CommandErrorCodes.UnknownCommand)]
    [InlineData("Ping", "", CommandErrorCodes.UnknownCommand)]
    [InlineData("ping", "{\"echo\":", CommandErrorCodes.BadPayload)]
    [InlineData("ping", "[1]", CommandErrorCodes.BadPayload)]
    [InlineData("ping", "{\"echo\": 1}", CommandErrorCodes.BadPayload)]
    [InlineData("ping", "{\"other\": \"x\"}", CommandErrorCodes.BadPayload)]
    [InlineData("set-volume", "{\"level\": 101}", CommandErrorCodes.BadPayload)]
    [InlineData("explode", "", CommandErrorCodes.HandlerFailed)]
    [InlineData("hang", "", CommandErrorCodes.Timeout)]
    public async Task DispatchAsync_WhenCommandCannotRun_ThenErrorReplyWithCode(string name, string payload, string code)
    {
        var reply = await DispatchAsync(name, payload);

        Assert.Equal("error", reply.GetProperty("status").GetString());
        Assert.Equal(code, reply.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(reply.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task DispatchAsync_WhenPayloadTooLargeOrNotUtf8_ThenErrorReply()
    {
        var large = await _dispatcher.DispatchAsync("ping", new byte[2000], CancellationToken.None);
        var notUtf8 = await _dispatcher.DispatchAsync("ping", new byte[] { 0x22, 0xC3, 0x28, 0x22 }, CancellationToken.None);

        Assert.Equal(CommandErrorCodes.TooLarge, JsonDocument.Parse(large).RootElement.GetProperty("code").GetString());
        Assert.Equal(CommandErrorCodes.BadPayload, JsonDocument.Parse(notUtf8).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task DispatchAsync_WhenLinkStopping_ThenCancelledReply()
    {
        using var stopping = new CancellationTokenSource();
        var pending = _dispatcher.DispatchAsync("hang", ReadOnlyMemory<byte>.Empty, stopping.Token);

        await stopping.CancelAsync();

        var reply = JsonDocument.Parse(await pending.WaitAsync(TimeSpan.FromSeconds(5))).RootElement;
        Assert.Equal(CommandErrorCodes.Cancelled, reply.GetProperty("code").GetString());
    }

    [Fact]
    public void Constructor_WhenTwoHandlersShareAName_ThenThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => new CommandDispatcher([new PingCommandHandler(), new PingCommandHandler()], TimeSpan.FromSeconds(1), 1024));

        Assert.Contains("'ping'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAsync_WhenFuzzed_ThenAlwaysAWellFormedReply()
    {
        var fuzz = new FuzzPayloads(seed: 11);
        string[] names = ["ping", "set-volume", "explode", "missing", ""];
        for (var i = 0; i < 2000; i++)
        {
            var name = fuzz.Pick(names);
            var reply = JsonDocument.Parse(await _dispatcher.DispatchAsync(name.Length == 0 ? "x" : name, fuzz.NextCommandPayload(), CancellationToken.None)).RootElement;
            Assert.Contains(reply.GetProperty("status").GetString(), new[] { "ok", "error" });
        }
    }
}
