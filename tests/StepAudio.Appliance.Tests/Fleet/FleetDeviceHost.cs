using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Tests.Fakes;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Appliance.Tests.Fleet;

/// <summary>A device in-process: a <see cref="FleetLink"/> wired as the appliance wires it (state directory, desired-config source, ping).</summary>
internal sealed class FleetDeviceHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _online = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "stepaudio-fleet-cli-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly IConfigurationRoot _configuration;
    private readonly Task _run;

    public FleetDeviceHost(int port, string device = "device-a")
    {
        var options = new FleetLinkOptions
        {
            BrokerHost = "127.0.0.1",
            BrokerPort = port,
            Fleet = MosquittoBroker.Fleet,
            DeviceId = device,
            Username = device,
            Password = MosquittoBroker.PasswordOf(device),
            BackoffMin = TimeSpan.FromMilliseconds(20),
            BackoffMax = TimeSpan.FromMilliseconds(300),
            KeepAlive = TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        Source = new DesiredConfigSource(new DesiredConfigStore(_stateDirectory));
        _configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Audio:Volume"] = "40" })
            .Add(Source)
            .Build();
        var processor = new DesiredConfigProcessor(Source, [new FakeDesiredConfigValidator()], options.MaxInboundPayloadBytes);
        var commands = new CommandDispatcher([new PingCommandHandler()], options.CommandTimeout, options.MaxInboundPayloadBytes);
        Link = new FleetLink(Options.Create(options), processor, commands);
        Link.StateChanged += (_, state) =>
        {
            if (state == FleetConnectionState.Connected)
            {
                _online.TrySetResult();
            }
        };
        _run = Task.Run(() => Link.RunAsync(_stop.Token));
    }

    public FleetLink Link { get; }

    public DesiredConfigSource Source { get; }

    /// <summary>The live value the appliance's options would see.</summary>
    public string? Setting(string key) => _configuration[key];

    public Task WaitOnlineAsync() => _online.Task.WaitAsync(FleetObserver.DefaultTimeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(FleetObserver.DefaultTimeout);
        Link.Dispose();
        (_configuration as IDisposable)?.Dispose();
        Source.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
