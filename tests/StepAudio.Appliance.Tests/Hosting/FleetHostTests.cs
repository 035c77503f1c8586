using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StepAudio.Appliance.Hardware.Buttons;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Endpointing;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Config;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// The service with its fleet link on the embedded broker (no broker configured): a fleet-side
/// MQTT client sees it come online, commands it, and changes its configuration live.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class FleetHostTests : IAsyncLifetime
{
    private const string Root = "stepaudio/default/kitchen";
    private readonly ContractModelsFixture _contract;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-fleet-host-{Guid.NewGuid():N}");
    private readonly ConcurrentQueue<(string Topic, string Payload)> _received = new();
    private readonly int _port = FreePort();
    private StandInGpuServer _server = null!;
    private IHost _host = null!;
    private FakeAudioCapture _capture = null!;
    private IMqttClient _fleet = null!;
    private readonly RecordingAudioOutput _output = new(22050);

    public FleetHostTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _ = models;
        _contract = contract;
        Directory.CreateDirectory(_dir);
    }

    public async Task InitializeAsync()
    {
        _server = await StandInGpuServer.StartAsync(new StandInOptions());
        WavFile.Write(Path.Combine(_dir, "prompt.wav"), SpeechClips.Synthesize("Hello, this is the voice of your speaker."), 16000, 1);
        _capture = new FakeAudioCapture(SpeechClips.Silence(1000));
        _host = ApplianceHost.Build(
            settings: new Dictionary<string, string?>
            {
                ["Tokenizer:ModelDirectory"] = _contract.Directory,
                ["Vocoder:ModelDirectory"] = _contract.Directory,
                ["GpuServer:BaseAddress"] = _server.BaseAddress.ToString(),
                ["Voice:PromptWav"] = Path.Combine(_dir, "prompt.wav"),
                ["Hosting:StateDirectory"] = _dir,
                ["Fleet:DeviceId"] = "kitchen",
                ["Fleet:EmbeddedBrokerPort"] = _port.ToString(),
                ["Fleet:Username"] = "kitchen",
                ["Fleet:Password"] = "kitchen-console",
                ["Fleet:BackoffMin"] = "00:00:00.050",
                ["Fleet:BackoffMax"] = "00:00:00.200",
            },
            customize: builder =>
        {
            builder.Services.AddSingleton<StepAudio.Appliance.Audio.IAudioCapture>(_capture);
            builder.Services.AddSingleton<Engine.Pipeline.IAudioOutput>(_output);
        });
        await _host.StartAsync();
        _fleet = new MqttClientFactory().CreateMqttClient();
        _fleet.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString()));
            return Task.CompletedTask;
        };
        await ConnectFleetAsync();
    }

    public async Task DisposeAsync()
    {
        _fleet.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        _capture.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Fleet_SeesTheDeviceOnlineAndItAnswersCommands()
    {
        await WaitForAsync($"{Root}/state", p => p == "online");

        await PublishAsync($"{Root}/cmd/mute", """{"muted": true}""", responseTopic: $"{Root}/replies/test");
        var reply = await WaitForAsync($"{Root}/replies/test", p => p.Contains("\"command\":\"mute\"", StringComparison.Ordinal));

        Assert.Contains("\"status\":\"ok\"", reply, StringComparison.Ordinal);
        Assert.True(_host.Services.GetRequiredService<MuteGate>().IsMuted);

        await PublishAsync($"{Root}/cmd/set-volume", """{"volume": 7}""", responseTopic: $"{Root}/replies/test");
        var bad = await WaitForAsync($"{Root}/replies/test", p => p.Contains("set-volume", StringComparison.Ordinal));
        Assert.Contains("bad-payload", bad, StringComparison.Ordinal);

        await PublishAsync($"{Root}/cmd/self-destruct", "{}", responseTopic: $"{Root}/replies/test");
        var unknown = await WaitForAsync($"{Root}/replies/test", p => p.Contains("self-destruct", StringComparison.Ordinal));
        Assert.Contains("unknown-command", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fleet_SayAndDiagnose_SpeakThroughTheTtsPathAndReportTheChecks()
    {
        await WaitForAsync($"{Root}/state", p => p == "online");

        await PublishAsync($"{Root}/cmd/say", """{"text": "The oven timer is done."}""", responseTopic: $"{Root}/replies/test");
        var said = await WaitForAsync($"{Root}/replies/test", p => p.Contains("\"command\":\"say\"", StringComparison.Ordinal));
        Assert.Contains("\"status\":\"ok\"", said, StringComparison.Ordinal);
        Assert.True(_output.Samples.Length > 0, "say played nothing");
        Assert.Equal(1, _output.ReplyCount);
        Assert.Contains(_server.TokenizeRequestBodies, b => b.Contains("The oven timer is done.", StringComparison.Ordinal));

        await PublishAsync($"{Root}/cmd/diagnose", "{}", responseTopic: $"{Root}/replies/test");
        var diagnosed = await WaitForAsync($"{Root}/replies/test", p => p.Contains("\"command\":\"diagnose\"", StringComparison.Ordinal));
        Assert.Contains("\"status\":\"ok\"", diagnosed, StringComparison.Ordinal);
        Assert.Contains("gpu server", diagnosed, StringComparison.Ordinal);
        Assert.DoesNotContain("capture device", diagnosed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DesiredConfig_WhenValid_IsAppliedLiveAndWhenInvalid_IsRejectedWithItsPath()
    {
        var monitor = _host.Services.GetRequiredService<IOptionsMonitor<EndpointingOptions>>();
        Assert.Equal(256, monitor.CurrentValue.PauseMs);

        await PublishAsync($"{Root}/config/desired", """{"version": 1, "settings": {"Endpointing": {"PauseMs": 320}}}""", retain: true);
        var reported = await WaitForAsync($"{Root}/config/reported", p => p.Contains("\"version\":1", StringComparison.Ordinal));

        Assert.Contains("applied", reported, StringComparison.Ordinal);
        Assert.Equal(320, monitor.CurrentValue.PauseMs);

        await PublishAsync($"{Root}/config/desired", """{"version": 2, "settings": {"Endpointing": {"EndOfTurnMs": 100}}}""", retain: true);
        var rejected = await WaitForAsync($"{Root}/config/rejected", p => p.Contains("\"version\":2", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(rejected);
        Assert.Contains("Endpointing", document.RootElement.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal(320, monitor.CurrentValue.PauseMs);
        Assert.Equal(704, monitor.CurrentValue.EndOfTurnMs);
    }

    [Theory]
    [InlineData("Ota", "RebootCommand", "\"rm -rf /\"")]
    [InlineData("Ota", "Rauc", "{\"Executable\": \"/tmp/evil\"}")]
    [InlineData("Ota", "Rauc", "{\"KeyringPath\": \"/tmp/keyring.pem\"}")]
    [InlineData("GpuServer", "BaseAddress", "\"http://attacker.example\"")]
    [InlineData("Fleet", "Tls", "{\"Enabled\": false}")]
    [InlineData("Fleet", "BrokerHost", "\"broker.attacker.example\"")]
    [InlineData("Fleet", "DeviceId", "\"someone-else\"")]
    [InlineData("WakeWord", "CustomHeadPaths", "[\"/tmp/head.onnx\"]")]
    [InlineData("Hosting", "StateDirectory", "\"/tmp\"")]
    public async Task DesiredConfig_WhenItSetsAnExecTrustOrIdentityKey_IsRejectedWholeWithThePath(string section, string key, string value)
    {
        var monitor = _host.Services.GetRequiredService<IOptionsMonitor<EndpointingOptions>>();

        // A setting a fleet may change rides along: nothing of a refused document is applied.
        await PublishAsync($"{Root}/config/desired", "{\"version\": 5, \"settings\": {\"Endpointing\": {\"PauseMs\": 320}, \"" + section + "\": {\"" + key + "\": " + value + "}}}");
        var rejected = await WaitForAsync($"{Root}/config/rejected", p => p.Contains("\"version\":5", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(rejected);
        Assert.Equal("not-fleet-settable", document.RootElement.GetProperty("code").GetString());
        Assert.StartsWith($"{section}:{key}", document.RootElement.GetProperty("path").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("cannot be set over the fleet link", document.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(256, monitor.CurrentValue.PauseMs);
        Assert.Equal(0, _host.Services.GetRequiredService<DesiredConfigSource>().Version);
        Assert.DoesNotContain(_received, r => r.Topic == $"{Root}/config/reported");
    }

    [Fact]
    public async Task DesiredConfig_WhenAKeyIsUnknown_IsRejectedAsUnknownWithItsPath()
    {
        await PublishAsync($"{Root}/config/desired", """{"version": 3, "settings": {"Endpointing": {"EndOfTurMs": 900}}}""");
        var rejected = await WaitForAsync($"{Root}/config/rejected", p => p.Contains("\"version\":3", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(rejected);
        Assert.Equal("unknown-setting", document.RootElement.GetProperty("code").GetString());
        Assert.Equal("Endpointing:EndOfTurMs", document.RootElement.GetProperty("path").GetString());
        Assert.Equal(0, _host.Services.GetRequiredService<DesiredConfigSource>().Version);
    }

    [Fact]
    public async Task DesiredConfig_WhenApplied_ReportsTheSettableSettings()
    {
        await PublishAsync($"{Root}/config/desired", """{"version": 4, "settings": {"WakeWord": {"Threshold": 0.6}}}""");
        var reported = await WaitForAsync($"{Root}/config/reported", p => p.Contains("\"version\":4", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(reported);
        var settable = document.RootElement.GetProperty("settable").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("Endpointing:*", settable);
        Assert.Contains("WakeWord:Threshold", settable);
        Assert.DoesNotContain(settable, p => p!.StartsWith("Ota", StringComparison.Ordinal) || p.StartsWith("Fleet:Tls", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DesiredConfigAndCommands_WhenFuzzed_EveryMessageIsAnsweredByTheRealHandlersAndNothingRefusedIsApplied()
    {
        const int documents = 120;
        const int commands = 120;
        var fuzz = new FuzzPayloads(seed: 20261207, documents:
        [
            """{"version": 2, "settings": {"Endpointing": {"PauseMs": 300}}}""",
            """{"version": 3, "settings": {"Endpointing": {"EndOfTurnMs": 100}}}""",
            """{"version": 4, "settings": {"Ota": {"RebootCommand": "reboot -f"}}}""",
            """{"version": 5, "settings": {"GpuServer": {"BaseAddress": "http://10.9.9.9"}}}""",
            """{"version": 6, "settings": {"WakeWord": {"Threshold": 0.7, "Heads": ["oww-alexa"]}}}""",
            """{"version": 7, "settings": {"Tools": {"Volume": {"Step": "loud"}}}}""",
        ]);
        await WaitForAsync($"{Root}/state", p => p == "online");
        string[] names = ["ping", "say", "set-volume", "mute", "no-such-command"];
        for (var i = 0; i < documents; i++)
        {
            await PublishBytesAsync($"{Root}/config/desired", fuzz.NextConfig(), responseTopic: null);
        }

        for (var i = 0; i < commands; i++)
        {
            await PublishBytesAsync($"{Root}/cmd/{fuzz.Pick(names)}", fuzz.NextCommandPayload(), responseTopic: $"{Root}/replies/fuzz");
        }

        await WaitForCountAsync(t => t == $"{Root}/config/reported" || t == $"{Root}/config/rejected", documents);
        await WaitForCountAsync(t => t == $"{Root}/replies/fuzz", commands);

        // Whatever got through was settable and valid; the device's trust settings are what they were.
        var applied = _host.Services.GetRequiredService<IConfiguration>();
        Assert.Equal("systemctl reboot", applied["Ota:RebootCommand"] ?? "systemctl reboot");
        Assert.Equal(_server.BaseAddress.ToString(), applied["GpuServer:BaseAddress"]);
        var endpointing = _host.Services.GetRequiredService<IOptionsMonitor<EndpointingOptions>>().CurrentValue;
        Assert.True(endpointing.EndOfTurnMs > endpointing.PauseMs);

        // And the link still works.
        await PublishAsync($"{Root}/config/desired", """{"version": 1000, "settings": {"Endpointing": {"PauseMs": 288}}}""");
        await WaitForAsync($"{Root}/config/reported", p => p.Contains("\"version\":1000", StringComparison.Ordinal));
        Assert.Equal(288, _host.Services.GetRequiredService<IOptionsMonitor<EndpointingOptions>>().CurrentValue.PauseMs);
    }

    private async Task ConnectFleetAsync()
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("fleet-console")
            .WithCredentials("kitchen", "kitchen-console")
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await _fleet.ConnectAsync(options, timeout.Token);
                break;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException) when (!timeout.IsCancellationRequested)
            {
                // The embedded broker starts with the host's background services.
                await Task.Yield();
            }
        }

        await _fleet.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{Root}/#").Build());
    }

    private Task<MqttClientPublishResult> PublishAsync(string topic, string payload, bool retain = false, string? responseTopic = null)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (responseTopic is not null)
        {
            message.WithResponseTopic(responseTopic).WithCorrelationData(Guid.NewGuid().ToByteArray());
        }

        return _fleet.PublishAsync(message.Build());
    }

    private Task<MqttClientPublishResult> PublishBytesAsync(string topic, byte[] payload, string? responseTopic)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null)
        {
            message.WithResponseTopic(responseTopic).WithCorrelationData(Guid.NewGuid().ToByteArray());
        }

        return _fleet.PublishAsync(message.Build());
    }

    private async Task WaitForCountAsync(Func<string, bool> topic, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (_received.Count(r => topic(r.Topic)) < count)
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_received.Count(r => topic(r.Topic))} of {count} answers arrived.");
            }
        }
    }

    private async Task<string> WaitForAsync(string topic, Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            foreach (var (t, p) in _received)
            {
                if (t == topic && match(p))
                {
                    return p;
                }
            }

            // Messages arrive on MQTTnet's thread; re-check after yielding, bounded by the timeout.
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing matching on {topic}; received: {string.Join(" | ", _received.Select(r => $"{r.Topic} {r.Payload}"))}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
