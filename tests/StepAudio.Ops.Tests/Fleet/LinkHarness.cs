using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Ops.Commands;
using StepAudio.Ops.Config;
using StepAudio.Ops.Fleet;
using StepAudio.Ops.Telemetry;
using StepAudio.TestSupport.Broker;
using StepAudio.Ops.Tests.Fakes;

namespace StepAudio.Ops.Tests.Fleet;

/// <summary>Options the appliance would bind from "Audio"; used to prove the desired config reaches IOptionsMonitor.</summary>
internal sealed class AudioTestOptions
{
    public int Volume { get; set; }

    public string Device { get; set; } = string.Empty;
}

/// <summary>
/// Wires a <see cref="FleetLink"/> the way the appliance does (state directory, desired-config source added last to a
/// configuration, validators, ping and test handlers, an options monitor over "Audio") and runs its supervisor loop.
/// </summary>
internal sealed class LinkHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<FleetConnectionState> _transitions = [];
    private readonly List<(FleetConnectionState State, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly Lock _gate = new();
    private readonly Task _run;
    private readonly bool _ownsStateDirectory;

    private LinkHarness(
        FleetLinkOptions options, string? stateDirectory, TelemetryCollector? telemetry, IEnumerable<ICommandHandler>? handlers, Action<FleetLink>? attach)
    {
        _ownsStateDirectory = stateDirectory is null;
        StateDirectory = stateDirectory ?? NewStateDirectory();
        Store = new DesiredConfigStore(StateDirectory, Logs.CreateLogger<DesiredConfigStore>());
        Source = new DesiredConfigSource(Store);
        Configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Audio:Volume"] = "40", ["Audio:Device"] = "default" })
            .Add(Source)
            .Build();
        Audio = new OptionsMonitor<AudioTestOptions>(
            new OptionsFactory<AudioTestOptions>(
                [new NamedConfigureFromConfigurationOptions<AudioTestOptions>(Options.DefaultName, Configuration.GetSection("Audio"))],
                []),
            [new ConfigurationChangeTokenSource<AudioTestOptions>(Configuration.GetSection("Audio"))],
            new OptionsCache<AudioTestOptions>());
        Processor = new DesiredConfigProcessor(Source, [Validator], options.MaxInboundPayloadBytes, Logs.CreateLogger<DesiredConfigProcessor>());
        Commands = new CommandDispatcher(
            [new PingCommandHandler(), SetVolume, new ThrowingCommandHandler(), new HangingCommandHandler(), .. handlers ?? []],
            options.CommandTimeout,
            options.MaxInboundPayloadBytes,
            Logs.CreateLogger<CommandDispatcher>());
        Link = new FleetLink(Options.Create(options), Processor, Commands, telemetry, Logs);
        Link.StateChanged += (_, state) => Record(state);
        attach?.Invoke(Link);
        _run = Task.Run(() => Link.RunAsync(_stop.Token));
    }

    public static TimeSpan Timeout => FleetObserver.DefaultTimeout;

    public string StateDirectory { get; }

    public RecordingLoggerFactory Logs { get; } = new();

    public FakeDesiredConfigValidator Validator { get; } = new();

    public FakeSetVolumeHandler SetVolume { get; } = new();

    public DesiredConfigStore Store { get; }

    public DesiredConfigSource Source { get; }

    public IConfigurationRoot Configuration { get; }

    public IOptionsMonitor<AudioTestOptions> Audio { get; }

    public DesiredConfigProcessor Processor { get; }

    public CommandDispatcher Commands { get; }

    public FleetLink Link { get; }

    /// <summary>Task of the supervisor loop, to prove it keeps running through failures.</summary>
    public Task Run => _run;

    public static FleetLinkOptions OptionsFor(int port, string device = "device-a", string? password = null) => new()
    {
        BrokerHost = "127.0.0.1",
        BrokerPort = port,
        Fleet = MosquittoBroker.Fleet,
        DeviceId = device,
        Username = device,
        Password = password ?? MosquittoBroker.PasswordOf(device),
        BackoffMin = TimeSpan.FromMilliseconds(20),
        BackoffMax = TimeSpan.FromMilliseconds(300),
        KeepAlive = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        TelemetryInterval = TimeSpan.FromMilliseconds(200),
        CommandTimeout = TimeSpan.FromMilliseconds(500),
    };

    public static LinkHarness Start(
        FleetLinkOptions options,
        string? stateDirectory = null,
        TelemetryCollector? telemetry = null,
        IEnumerable<ICommandHandler>? handlers = null,
        Action<FleetLink>? attach = null) =>
        new(options, stateDirectory, telemetry, handlers, attach);

    public static string NewStateDirectory() => Path.Combine(Path.GetTempPath(), "stepaudio-fleet-state-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Completes when the link has entered <paramref name="state"/> at least <paramref name="count"/> times.</summary>
    public async Task WaitForStateAsync(FleetConnectionState state, int count = 1, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_transitions.Count(s => s == state) >= count)
            {
                return;
            }

            _waiters.Add((state, count, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout ?? Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The link did not reach {state} x{count}; last error: {Link.LastError}; transitions: {string.Join(",", Transitions)}");
        }
    }

    public IReadOnlyList<FleetConnectionState> Transitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _transitions];
            }
        }
    }

    /// <summary>Stops the supervisor loop (clean "offline" and disconnect) and waits for it.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        Link.Dispose();
        (Configuration as IDisposable)?.Dispose();
        _stop.Dispose();
        if (_ownsStateDirectory)
        {
            DeleteStateDirectory(StateDirectory);
        }
    }

    /// <summary>Removes a state directory made by <see cref="NewStateDirectory"/>.</summary>
    public static void DeleteStateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private void Record(FleetConnectionState state)
    {
        List<TaskCompletionSource> completed = [];
        lock (_gate)
        {
            _transitions.Add(state);
            var seen = _transitions.Count(s => s == state);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].State == state && seen >= _waiters[i].Count)
                {
                    completed.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in completed)
        {
            done.TrySetResult();
        }
    }
}
