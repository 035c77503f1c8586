using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Link;
using StepAudio.Engine.Models;
using StepAudio.Engine.Tokenizer;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>Settings of the suite itself, not of the appliance.</summary>
public sealed class DiagnosticSuiteOptions
{
    /// <summary>The service's state directory: systemd's <c>$STATE_DIRECTORY</c>, else <c>/var/lib/stepaudio-edge</c>.</summary>
    public string StateDirectory { get; set; } = Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state ? state : "/var/lib/stepaudio-edge";

    /// <summary>Free space below this fails the disk checks.</summary>
    public long MinimumFreeBytes { get; set; } = FreeDiskCheck.DefaultMinimumFreeBytes;

    /// <summary>TCP connect limit for the broker.</summary>
    public TimeSpan BrokerTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Leave out the capture and playback checks (the running service holds the devices open).</summary>
    public bool SkipAudioDevices { get; set; }
}

/// <summary>
/// Every check of the appliance, built from its configuration, run one after another. A check
/// whose configuration section is invalid is skipped (the configuration check has already
/// failed for it), so one bad value sets one bit.
/// </summary>
public sealed class DiagnosticSuite : IDisposable
{
    public DiagnosticSuite(IReadOnlyList<IDiagnosticCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        Checks = checks;
    }

    public IReadOnlyList<IDiagnosticCheck> Checks { get; }

    /// <summary>The standard checks for a configuration.</summary>
    public static DiagnosticSuite FromConfiguration(IConfiguration configuration, DiagnosticSuiteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new DiagnosticSuiteOptions();
        var checks = new List<IDiagnosticCheck> { new ConfigurationCheck(configuration) };
        using var provider = new ServiceCollection().AddSingleton(configuration).AddApplianceOptions().BuildServiceProvider();

        var cache = Resolve<ModelCacheOptions>(provider, ApplianceOptions.Sections.Models, out var cacheProblem);
        var cacheDirectory = cache is null ? null : string.IsNullOrEmpty(cache.CacheDirectory) ? ModelStore.DefaultCacheDirectory() : cache.CacheDirectory;
        if (cacheDirectory is null)
        {
            checks.Add(new SkippedCheck("pinned models", DiagnosticArea.Models, cacheProblem!));
        }
        else
        {
            var store = new ModelStore(cacheDirectory);
            checks.AddRange(store.Lock.Models.Select(model => new PinnedModelCheck(store, model)));
        }

        checks.Add(Build<TokenizerOptions>(provider, ApplianceOptions.Sections.Tokenizer, "tokenizer models", DiagnosticArea.Models, OperatorModelCheck.Tokenizer));
        checks.Add(Build<VocoderOptions>(provider, ApplianceOptions.Sections.Vocoder, "vocoder models", DiagnosticArea.Models, OperatorModelCheck.Vocoder));
        if (!options.SkipAudioDevices)
        {
            checks.Add(Build<AlsaCaptureOptions>(provider, ApplianceOptions.Sections.Capture, "capture device", DiagnosticArea.Audio, AudioDeviceCheck.Capture));
            checks.Add(Build<AlsaPlaybackOptions>(provider, ApplianceOptions.Sections.Playback, "playback device", DiagnosticArea.Audio, AudioDeviceCheck.Playback));
        }
        checks.Add(Build<GpuServerOptions>(provider, ApplianceOptions.Sections.GpuServer, "gpu server", DiagnosticArea.Server, o => new GpuServerCheck(o)));
        checks.Add(BrokerFrom(configuration, options.BrokerTimeout));

        var disks = new List<(string Label, string Path)> { ("state", options.StateDirectory) };
        if (cacheDirectory is not null)
        {
            disks.Insert(0, ("model cache", cacheDirectory));
        }

        checks.AddRange(disks.Select(d => new FreeDiskCheck(d.Label, d.Path, options.MinimumFreeBytes)));
        return new DiagnosticSuite(checks);
    }

    /// <summary>Runs every check in order; an unexpected exception fails that check, not the suite.</summary>
    public async Task<DiagnosticReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<DiagnosticResult>(Checks.Count);
        foreach (var check in Checks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            DiagnosticResult result;
            try
            {
                result = await check.RunAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                result = DiagnosticResult.Fail(check, $"{ex.GetType().Name}: {ex.Message}");
            }

            results.Add(result with { Elapsed = clock.Elapsed });
        }

        return new DiagnosticReport(results);
    }

    public void Dispose()
    {
        foreach (var check in Checks)
        {
            (check as IDisposable)?.Dispose();
        }
    }

    private static IDiagnosticCheck BrokerFrom(IConfiguration configuration, TimeSpan timeout)
    {
        var host = configuration[BrokerCheck.HostKey];
        var portText = configuration[BrokerCheck.PortKey];
        var fleet = FleetSettings(configuration);
        if (string.IsNullOrEmpty(portText))
        {
            return new BrokerCheck(host, BrokerCheck.DefaultPort, timeout, fleet);
        }

        return int.TryParse(portText, out var port) && port is > 0 and <= 65535
            ? new BrokerCheck(host, port, timeout, fleet)
            : new ConfigurationProblemCheck("broker configuration", $"{BrokerCheck.PortKey}: '{portText}' is not a TCP port (1 to 65535).");
    }

    /// <summary>The fleet link's settings when they bind, for the MQTT-level broker check; null otherwise.</summary>
    private static StepAudio.Ops.Fleet.FleetLinkOptions? FleetSettings(IConfiguration configuration)
    {
        var fleet = new StepAudio.Ops.Fleet.FleetLinkOptions();
        try
        {
            configuration.GetSection("Fleet").Bind(fleet);
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        fleet.ResolveDeviceId();

        return new StepAudio.Ops.Fleet.FleetLinkOptionsValidator().Validate(null, fleet).Succeeded ? fleet : null;
    }

    private static IDiagnosticCheck Build<TOptions>(IServiceProvider provider, string section, string name, DiagnosticArea area, Func<TOptions, IDiagnosticCheck> create)
        where TOptions : class
    {
        var options = Resolve<TOptions>(provider, section, out var problem);
        return options is null ? new SkippedCheck(name, area, problem!) : create(options);
    }

    private static TOptions? Resolve<TOptions>(IServiceProvider provider, string section, out string? problem)
        where TOptions : class
    {
        problem = null;
        try
        {
            return provider.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            // The configuration check reports the reason with the option path.
            problem = $"not run: section {section} is invalid (see configuration)";
            return null;
        }
    }
}

/// <summary>Every check's result and the exit code they add up to.</summary>
public sealed record DiagnosticReport(IReadOnlyList<DiagnosticResult> Results)
{
    /// <summary>The areas with at least one failed check.</summary>
    public DiagnosticArea FailedAreas
    {
        get
        {
            var areas = DiagnosticArea.None;
            foreach (var result in Results)
            {
                if (result.Status == DiagnosticStatus.Failed)
                {
                    areas |= result.Area;
                }
            }

            return areas;
        }
    }

    /// <summary>diagnose's exit code: 0 when every check passed, else the bits of <see cref="FailedAreas"/>.</summary>
    public int ExitCode => (int)FailedAreas;

    /// <summary>
    /// Writes <c>{"exit_code":..,"failed":[areas],"checks":[{"name","area","status","detail","elapsed_ms"}]}</c>:
    /// what <c>diagnose --json</c> prints and the fleet's diagnose command returns.
    /// </summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteNumber("exit_code", ExitCode);
        json.WriteStartArray("failed");
        foreach (var area in Enum.GetValues<DiagnosticArea>())
        {
            if (area != DiagnosticArea.None && FailedAreas.HasFlag(area))
            {
                json.WriteStringValue(NameOf(area));
            }
        }

        json.WriteEndArray();
        json.WriteStartArray("checks");
        foreach (var result in Results)
        {
            json.WriteStartObject();
            json.WriteString("name", result.Check);
            json.WriteString("area", NameOf(result.Area));
            json.WriteString("status", result.Status.ToString().ToLowerInvariant());
            json.WriteString("detail", result.Detail);
            json.WriteNumber("elapsed_ms", Math.Round(result.Elapsed.TotalMilliseconds, 1));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The lower-case name of an area, as in the JSON and the help text.</summary>
    public static string NameOf(DiagnosticArea area) => area.ToString().ToLowerInvariant();
}
