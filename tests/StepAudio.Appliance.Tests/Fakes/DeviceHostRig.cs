using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;
using StepAudio.StandInServer;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// What every test of the running service starts from: the contract models, a voice prompt, the
/// stand-in GPU server answering quickly, and a scratch directory; the host is built on them with
/// a fake capture and output, and without the fleet unless a test adds it.
/// </summary>
internal sealed class DeviceHostRig : IAsyncDisposable
{
    private DeviceHostRig(StandInGpuServer server, string directory, ContractModelsFixture contract)
    {
        Server = server;
        Directory = directory;
        Settings = new Dictionary<string, string?>
        {
            ["Tokenizer:ModelDirectory"] = contract.Directory,
            ["Vocoder:ModelDirectory"] = contract.Directory,
            ["GpuServer:BaseAddress"] = server.BaseAddress.ToString(),
            ["Voice:PromptWav"] = Path.Combine(directory, "prompt.wav"),
            ["Hosting:Fleet"] = "false",
        };
    }

    /// <summary>The stand-in GPU server (first token after 20 ms, then one per millisecond).</summary>
    public StandInGpuServer Server { get; }

    /// <summary>The scratch directory; deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The settings every host here needs: models, server, voice, no fleet. Copy it to add to it.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <param name="contract">The contract models the tokenizer and vocoder load.</param>
    /// <param name="name">Names the scratch directory, so a leftover says which tests left it.</param>
    public static async Task<DeviceHostRig> StartAsync(ContractModelsFixture contract, string name)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var directory = Path.Combine(Path.GetTempPath(), $"stepaudio-{name}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        WavFile.Write(Path.Combine(directory, "prompt.wav"), SpeechClips.Synthesize("Hello, this is the voice of your speaker."), PipelineAudio.SampleRate, 1);
        var server = await StandInGpuServer.StartAsync(new StandInOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(20), TokenInterval = TimeSpan.FromMilliseconds(1) });
        return new DeviceHostRig(server, directory, contract);
    }

    /// <summary>The service's host with <paramref name="capture"/> and <paramref name="output"/> in place of the sound card.</summary>
    public IHost Build(IAudioCapture capture, IAudioOutput output, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null) =>
        ApplianceHost.Build(settings: new Dictionary<string, string?>(settings), customize: builder =>
        {
            builder.Services.AddSingleton(capture);
            builder.Services.AddSingleton(output);
            services?.Invoke(builder.Services);
        });

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
