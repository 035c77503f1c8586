using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepAudio.Appliance.Diagnostics;
using StepAudio.Appliance.Tests.Audio;
using StepAudio.StandInServer;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Broker;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>
/// diagnose end to end: a good configuration (verified pinned models, the contract models, ALSA
/// file-plugin PCMs, the stand-in GPU server) passes every check; each broken part fails its own
/// check and sets only its own bit of the exit code.
/// </summary>
/// <remarks>
/// These tests open PCMs from the pinned-models collection: the shared ALSA configuration is set
/// once per process (see <see cref="AlsaFileDevices"/>) before the first open, and libasound
/// serialises its own configuration updates.
/// </remarks>
[Collection(PinnedModelsGroup.Name)]
public sealed class DiagnoseCommandTests : IAsyncLifetime, IDisposable
{
    private readonly ModelsFixture _models;
    private readonly ContractModelsFixture _contract;
    private readonly AlsaFileDevices _alsa = new();
    private StandInGpuServer _server = null!;

    public DiagnoseCommandTests(ModelsFixture models, ContractModelsFixture contract)
    {
        _models = models;
        _contract = contract;
    }

    public async Task InitializeAsync() => _server = await StandInGpuServer.StartAsync(new StandInOptions { RequireApiKey = "diagnose-key" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _alsa.Dispose();

    [Fact]
    public async Task Diagnose_WhenEverythingIsGood_PassesEveryCheckAndExitsZero()
    {
        var (code, report) = await DiagnoseJsonAsync(Config());

        Assert.Equal(0, code);
        Assert.Equal(0, report["exit_code"]!.GetValue<int>());
        Assert.Empty(report["failed"]!.AsArray());
        var checks = Checks(report);
        Assert.All(checks, c => Assert.True(c.Status == "passed", $"{c.Name}: {c.Status} {c.Detail}"));
        Assert.Equal(
            ["configuration", "model silero-vad-v5", "model oww-melspectrogram", "model oww-embedding", "model oww-hey-jarvis", "model oww-alexa",
             "tokenizer models", "vocoder models", "capture device", "playback device", "gpu server", "broker", "disk model cache", "disk state"],
            checks.Select(c => c.Name));
        Assert.Contains("S16_LE 16000 Hz x1", Detail(checks, "capture device"), StringComparison.Ordinal);
        Assert.Contains("48000 Hz x2", Detail(checks, "playback device"), StringComparison.Ordinal);
        Assert.Contains("serves step-audio-chat and step-audio-tts", Detail(checks, "gpu server"), StringComparison.Ordinal);
        Assert.Equal("not configured (embedded broker)", Detail(checks, "broker"));
    }

    [Fact]
    public async Task Diagnose_WhenServerIsDown_FailsServerCheckAndExitsEight()
    {
        var config = Config(c => c["GpuServer"]!["BaseAddress"] = "http://127.0.0.1:9");

        var (code, output, _) = await CliRunner.RunAsync(DiagnoseArgs(config));

        Assert.Equal(8, code);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("gpu server", line, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9/ is unreachable", line, StringComparison.Ordinal);
        Assert.Contains("diagnose: failed: server (exit code 8).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_WhenApiKeyIsWrong_FailsServerCheckNamingTheKey()
    {
        var (code, report) = await DiagnoseJsonAsync(Config(c => c["GpuServer"]!["ApiKey"] = "wrong-key"));

        Assert.Equal(8, code);
        var server = Checks(report).Single(c => c.Name == "gpu server");
        Assert.Equal("failed", server.Status);
        Assert.Contains("answered 401", server.Detail, StringComparison.Ordinal);
        Assert.Contains("GpuServer:ApiKey", server.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_WhenContractModelDirectoryIsMissing_FailsModelChecksAndExitsWithTheModelsBit()
    {
        var missing = Path.Combine(_alsa.Directory, "no-models");

        var (code, report) = await DiagnoseJsonAsync(Config(c =>
        {
            c["Tokenizer"]!["ModelDirectory"] = missing;
            c["Vocoder"]!["ModelDirectory"] = missing;
        }));

        Assert.Equal((int)DiagnosticArea.Models, code);
        Assert.Equal(["models"], report["failed"]!.AsArray().Select(a => a!.GetValue<string>()));
        var failed = Checks(report).Where(c => c.Status == "failed").ToList();
        Assert.Equal(["tokenizer models", "vocoder models"], failed.Select(c => c.Name));
        Assert.All(failed, c => Assert.Contains(missing, c.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diagnose_WhenAConfigValueIsInvalid_FailsConfigurationSkipsItsCheckAndExitsOne()
    {
        var (code, report) = await DiagnoseJsonAsync(Config(c => c["Audio"]!["Capture"]!["BufferFrames"] = 100));

        Assert.Equal(1, code);
        var checks = Checks(report);
        var configuration = checks.Single(c => c.Name == "configuration");
        Assert.Equal("failed", configuration.Status);
        Assert.Contains("Audio:Capture", configuration.Detail, StringComparison.Ordinal);
        Assert.Contains("BufferFrames", configuration.Detail, StringComparison.Ordinal);
        Assert.Equal("skipped", checks.Single(c => c.Name == "capture device").Status);
        Assert.Equal("passed", checks.Single(c => c.Name == "playback device").Status);
    }

    [Fact]
    public async Task Diagnose_WhenCaptureDeviceIsUnknown_FailsCaptureCheckAndExitsFour()
    {
        var (code, report) = await DiagnoseJsonAsync(Config(c => c["Audio"]!["Capture"]!["Device"] = "stepaudio_no_such_pcm"));

        Assert.Equal(4, code);
        var capture = Checks(report).Single(c => c.Name == "capture device");
        Assert.Equal("failed", capture.Status);
        Assert.Contains("'stepaudio_no_such_pcm'", capture.Detail, StringComparison.Ordinal);
        Assert.Equal("passed", Checks(report).Single(c => c.Name == "playback device").Status);
    }

    [Fact]
    public async Task Diagnose_WhenBrokerAcceptsTheDevice_PassesWithItsAddressAndUser()
    {
        using var broker = new MosquittoBroker();

        var (code, report) = await DiagnoseJsonAsync(Config(c => c["Fleet"] = FleetSection(broker, MosquittoBroker.PasswordOf("device-a"))));

        Assert.Equal(0, code);
        var detail = Checks(report).Single(c => c.Name == "broker").Detail;
        Assert.Contains($"127.0.0.1:{broker.Port} accepted the device's MQTT connection as 'device-a'", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_WhenBrokerRefusesTheCredentials_FailsNamingTheSettings()
    {
        using var broker = new MosquittoBroker();

        var (code, report) = await DiagnoseJsonAsync(Config(c => c["Fleet"] = FleetSection(broker, "not-the-password")));

        Assert.Equal(16, code);
        var broken = Checks(report).Single(c => c.Name == "broker");
        Assert.Equal("failed", broken.Status);
        Assert.Contains("Fleet:Username / Fleet:Password", broken.Detail, StringComparison.Ordinal);
    }

    private static JsonObject FleetSection(MosquittoBroker broker, string password) => new()
    {
        ["BrokerHost"] = "127.0.0.1",
        ["BrokerPort"] = broker.Port,
        ["Fleet"] = MosquittoBroker.Fleet,
        ["DeviceId"] = "device-a",
        ["Username"] = "device-a",
        ["Password"] = password,
    };

    [Fact]
    public async Task Diagnose_WhenBrokerRefusesConnections_FailsBrokerCheckAndExitsSixteen()
    {
        // Bound but not listening: connections are refused, and no other socket can take the port meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;

        var (code, report) = await DiagnoseJsonAsync(Config(c => c["Fleet"] = new JsonObject { ["BrokerHost"] = "127.0.0.1", ["BrokerPort"] = port }));

        Assert.Equal(16, code);
        Assert.Contains($"127.0.0.1:{port} is unreachable", Checks(report).Single(c => c.Name == "broker").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_WhenFreeSpaceIsBelowTheMinimum_FailsDiskChecksAndExitsThirtyTwo()
    {
        var config = Config();

        var (code, output, _) = await CliRunner.RunAsync([.. DiagnoseArgs(config), "--min-free-mb", int.MaxValue.ToString()]);

        Assert.Equal(32, code);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("FAIL  disk", StringComparison.Ordinal)));
        Assert.Contains("below the", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_WhenConfigFileIsMissing_FailsConfigurationAndExitsOne()
    {
        var (code, output, _) = await CliRunner.RunAsync("diagnose", "--config", Path.Combine(_alsa.Directory, "absent.json"));

        Assert.Equal(1, code);
        Assert.Contains("absent.json does not exist", output, StringComparison.Ordinal);
    }

    private string[] DiagnoseArgs(string config) => ["diagnose", "--config", config, "--state-dir", Path.Combine(_alsa.Directory, "state")];

    private async Task<(int Code, JsonNode Report)> DiagnoseJsonAsync(string config)
    {
        var (code, output, _) = await CliRunner.RunAsync([.. DiagnoseArgs(config), "--json"]);
        return (code, JsonNode.Parse(output)!);
    }

    /// <summary>A good configuration, changed by <paramref name="change"/>, written to its own file.</summary>
    private string Config(Action<JsonObject>? change = null)
    {
        var captureFile = _alsa.NewPath("capture.raw");
        File.WriteAllBytes(captureFile, new byte[4096]);
        var config = new JsonObject
        {
            ["Models"] = new JsonObject { ["CacheDirectory"] = _models.Store.CacheDirectory },
            ["Tokenizer"] = new JsonObject { ["ModelDirectory"] = _contract.Directory },
            ["Vocoder"] = new JsonObject { ["ModelDirectory"] = _contract.Directory },
            ["GpuServer"] = new JsonObject { ["BaseAddress"] = _server.BaseAddress.ToString(), ["ApiKey"] = "diagnose-key" },
            ["Audio"] = new JsonObject
            {
                ["Capture"] = new JsonObject { ["Device"] = AlsaFileDevices.CaptureDevice(captureFile) },
                ["Playback"] = new JsonObject { ["Device"] = AlsaFileDevices.PlaybackDevice(_alsa.NewPath("playback.raw")) },
            },
        };
        change?.Invoke(config);
        var path = _alsa.NewPath("config.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static List<(string Name, string Status, string Detail)> Checks(JsonNode report) =>
        report["checks"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["status"]!.GetValue<string>(), c["detail"]!.GetValue<string>())).ToList();

    private static string Detail(List<(string Name, string Status, string Detail)> checks, string name) => checks.Single(c => c.Name == name).Detail;
}
