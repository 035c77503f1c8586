using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepAudio.Appliance.Hosting;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Ops.Fleet;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Broker;
using StepAudio.TestSupport.Fakes;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// Three speakers of one home, each a whole service with its own microphone, hear the same
/// request at different levels through one real Mosquitto: only the one that heard it best answers.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class HomeArbitrationHostTests(ModelsFixture models, ContractModelsFixture contract) : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stepaudio-home-{Guid.NewGuid():N}");
    private StandInGpuServer _server = null!;

    public async Task InitializeAsync()
    {
        _ = models;
        Directory.CreateDirectory(_dir);
        _server = await StandInGpuServer.StartAsync(new StandInOptions());
        WavFile.Write(Path.Combine(_dir, "prompt.wav"), SpeechClips.Synthesize("Hello, this is the voice of your speaker."), 16000, 1);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Wake_WhenThreeSpeakersHearItAtDifferentLevels_OnlyTheLoudestAnswers()
    {
        using var broker = new MosquittoBroker();
        using var room = new ManualResetEventSlim();
        var request = SpeechClips.Concat(
            SpeechClips.Silence(700),
            SpeechClips.Synthesize("hey jarvis", wordsPerMinute: 140),
            SpeechClips.Silence(300),
            SpeechClips.Synthesize("what is the time"),
            SpeechClips.Silence(3000));
        (string Device, float Gain)[] speakers = [("device-a", 0.2f), ("device-b", 1.0f), ("device-c", 0.45f)];
        var hosts = new List<(string Device, IHost Host, FakeAudioCapture Capture, CollectingEventSink Events)>();
        try
        {
            foreach (var (device, gain) in speakers)
            {
                var capture = new FakeAudioCapture(AtLevel(request, gain), startGate: room);
                var events = new CollectingEventSink(PipelineEventTypes.TurnEnd, PipelineEventTypes.ArbitrationLost, PipelineEventTypes.NoSpeech);
                var host = Build(device, broker.Port, capture, events);
                await host.StartAsync();
                hosts.Add((device, host, capture, events));
            }

            foreach (var (_, host, _, _) in hosts)
            {
                await WaitUntilConnectedAsync(host.Services.GetRequiredService<FleetLink>());
            }

            room.Set();
            foreach (var (_, _, _, events) in hosts)
            {
                await events.Signalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            foreach (var (_, host, capture, _) in hosts)
            {
                await host.StopAsync();
                host.Dispose();
                capture.Dispose();
            }
        }

        var answered = hosts.Where(h => h.Events.Types.Contains(PipelineEventTypes.TurnEnd)).Select(h => h.Device).ToList();
        Assert.Equal(["device-b"], answered);
        Assert.All(hosts.Where(h => h.Device != "device-b"), h => Assert.Contains(PipelineEventTypes.ArbitrationLost, h.Events.Types));
        Assert.Single(_server.ChatRequestBodies);
    }

    private IHost Build(string device, int brokerPort, FakeAudioCapture capture, CollectingEventSink events) => ApplianceHost.Build(
        settings: new Dictionary<string, string?>
        {
            ["Tokenizer:ModelDirectory"] = contract.Directory,
            ["Vocoder:ModelDirectory"] = contract.Directory,
            ["GpuServer:BaseAddress"] = _server.BaseAddress.ToString(),
            ["Voice:PromptWav"] = Path.Combine(_dir, "prompt.wav"),
            ["Hosting:CaptureStartTimeoutMs"] = "100",
            ["Hosting:StateDirectory"] = Path.Combine(_dir, device),
            ["Fleet:BrokerHost"] = "127.0.0.1",
            ["Fleet:BrokerPort"] = brokerPort.ToString(),
            ["Fleet:Fleet"] = MosquittoBroker.Fleet,
            ["Fleet:DeviceId"] = device,
            ["Fleet:Username"] = device,
            ["Fleet:Password"] = MosquittoBroker.PasswordOf(device),
            ["Arbitration:Home"] = MosquittoBroker.Homes[device],
            ["Arbitration:WindowMs"] = "500",
        },
        customize: builder =>
        {
            builder.Services.AddSingleton<StepAudio.Appliance.Audio.IAudioCapture>(capture);
            builder.Services.AddSingleton<IAudioOutput>(new RecordingAudioOutput(22050));
            builder.Services.AddSingleton<IPipelineEventSink>(events);
        });

    /// <summary>The request as one speaker hears it: scaled by its distance, over the same quiet room.</summary>
    private static float[] AtLevel(float[] clip, float gain)
    {
        var random = new Random(5);
        var result = new float[clip.Length];
        for (var i = 0; i < clip.Length; i++)
        {
            result[i] = (clip[i] * gain) + (((float)random.NextDouble() - 0.5f) * 0.002f);
        }

        return result;
    }

    private static async Task WaitUntilConnectedAsync(FleetLink link)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(object? sender, FleetConnectionState state)
        {
            if (state == FleetConnectionState.Connected)
            {
                connected.TrySetResult();
            }
        }

        link.StateChanged += OnChange;
        try
        {
            if (link.State != FleetConnectionState.Connected)
            {
                await connected.Task.WaitAsync(timeout.Token);
            }
        }
        finally
        {
            link.StateChanged -= OnChange;
        }
    }
}
