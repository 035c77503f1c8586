using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StepAudio.StandInServer;

/// <summary>
/// A stand-in for the vLLM GPU server: the same routes and SSE framing, deterministic answers,
/// and faults on demand (slow first token, slow tokens, HTTP errors, dropped connections, auth).
/// Runs on Kestrel on 127.0.0.1, in-process for tests or on its own through Program.
/// </summary>
public sealed class StandInGpuServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GenerationCounter _started = new(nameof(StartedGenerations));
    private readonly GenerationCounter _completed = new(nameof(CompletedGenerations));
    private readonly GenerationCounter _cancelled = new(nameof(CancelledGenerations));
    private readonly GenerationCounter _dropped = new(nameof(DroppedGenerations));
    private readonly ConcurrentQueue<string> _chatBodies = new();
    private readonly ConcurrentQueue<string> _completionBodies = new();
    private readonly ConcurrentQueue<string> _tokenizeBodies = new();
    private readonly Lock _failGate = new();
    private int _transientFailures;

    private StandInGpuServer(WebApplication app, StandInOptions options)
    {
        _app = app;
        Options = options;
        BaseAddress = new Uri("http://127.0.0.1/");
    }

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; }

    /// <summary>The live options; changes apply to the next request.</summary>
    public StandInOptions Options { get; }

    /// <summary>Streaming and non-streaming generations that began.</summary>
    public int StartedGenerations => _started.Value;

    /// <summary>Generations that sent their last chunk and <c>[DONE]</c>.</summary>
    public int CompletedGenerations => _completed.Value;

    /// <summary>Generations stopped because the client went away before the end.</summary>
    public int CancelledGenerations => _cancelled.Value;

    /// <summary>Generations the stand-in cut off itself (<see cref="StandInOptions.DropAfterTokens"/>).</summary>
    public int DroppedGenerations => _dropped.Value;

    /// <summary>Recent <c>/v1/chat/completions</c> bodies, oldest first.</summary>
    public IReadOnlyList<string> ChatRequestBodies => _chatBodies.ToArray();

    /// <summary>Recent <c>/v1/completions</c> bodies, oldest first.</summary>
    public IReadOnlyList<string> CompletionRequestBodies => _completionBodies.ToArray();

    /// <summary>Recent <c>/tokenize</c> bodies, oldest first.</summary>
    public IReadOnlyList<string> TokenizeRequestBodies => _tokenizeBodies.ToArray();

    /// <summary>Starts Kestrel on 127.0.0.1 (<see cref="StandInOptions.Port"/>, 0 for a free port).</summary>
    public static async Task<StandInGpuServer> StartAsync(StandInOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(StandInGpuServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = options.Http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2);
        });

        WebApplication app = builder.Build();
        var server = new StandInGpuServer(app, options);
        var endpoints = new StandInEndpoints(server);
        app.MapPost("/v1/chat/completions", endpoints.ChatAsync);
        app.MapPost("/v1/completions", endpoints.CompletionsAsync);
        app.MapPost("/tokenize", endpoints.TokenizeAsync);
        app.MapGet("/v1/models", endpoints.ModelsAsync);
        app.MapGet("/health", () => Results.Ok());

        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>Completes once <see cref="StartedGenerations"/> reaches <paramref name="count"/>.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/>.</exception>
    public Task WaitForStartedAsync(int count, TimeSpan timeout) => _started.WaitForAsync(count, timeout);

    /// <summary>Completes once <see cref="CompletedGenerations"/> reaches <paramref name="count"/>.</summary>
    public Task WaitForCompletedAsync(int count, TimeSpan timeout) => _completed.WaitForAsync(count, timeout);

    /// <summary>Completes once <see cref="CancelledGenerations"/> reaches <paramref name="count"/>.</summary>
    public Task WaitForCancelledAsync(int count, TimeSpan timeout) => _cancelled.WaitForAsync(count, timeout);

    /// <summary>Completes once <see cref="DroppedGenerations"/> reaches <paramref name="count"/>.</summary>
    public Task WaitForDroppedAsync(int count, TimeSpan timeout) => _dropped.WaitForAsync(count, timeout);

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    internal void GenerationStarted() => _started.Increment();

    /// <summary>Generation requests answered with <see cref="StandInOptions.FailFirstRequests"/>'s status.</summary>
    public int TransientFailures => Volatile.Read(ref _transientFailures);

    /// <summary>The protocol of the latest request (e.g. <c>HTTP/2</c>).</summary>
    public string? LastProtocol { get; private set; }

    internal void RecordProtocol(string protocol) => LastProtocol = protocol;

    /// <summary>True when this request is one of the failing first ones (and counts it).</summary>
    internal bool TakeTransientFailure()
    {
        lock (_failGate)
        {
            if (Options.FailFirstRequests <= 0)
            {
                return false;
            }

            Options.FailFirstRequests--;
            _transientFailures++;
            return true;
        }
    }

    internal void GenerationCompleted() => _completed.Increment();

    internal void GenerationCancelled() => _cancelled.Increment();

    internal void GenerationDropped() => _dropped.Increment();

    internal void RecordChat(string body) => Record(_chatBodies, body);

    internal void RecordCompletion(string body) => Record(_completionBodies, body);

    internal void RecordTokenize(string body) => Record(_tokenizeBodies, body);

    private void Record(ConcurrentQueue<string> queue, string body)
    {
        queue.Enqueue(body);
        while (queue.Count > Math.Max(1, Options.RecordedBodies) && queue.TryDequeue(out _))
        {
        }
    }
}
