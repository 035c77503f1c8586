using StepAudio.Engine.Link;
using StepAudio.StandInServer;
using Xunit;

namespace StepAudio.Engine.Tests.Link;

/// <summary>Starts a fresh in-process stand-in GPU server per test (xunit makes one instance per test).</summary>
public abstract class StandInTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    protected StandInGpuServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await StandInGpuServer.StartAsync(new StandInOptions());

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected GpuServerOptions ClientOptions(Action<GpuServerOptions>? configure = null)
    {
        var options = new GpuServerOptions { BaseAddress = Server.BaseAddress };
        configure?.Invoke(options);
        return options;
    }

    protected static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> source)
    {
        var items = new List<T>();
        await foreach (T item in source)
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>A TTS prompt for <paramref name="target"/> built through the server's own tokenizer.</summary>
    protected static Task<int[]> TtsPromptAsync(GpuServerClient client, string target) =>
        new TtsPromptBuilder(client, client.Options.TtsModel).BuildAsync("Speak plainly.", "Hello there.", new[] { 1, 2, 1030, 1031, 1032 }, target);
}
