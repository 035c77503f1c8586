using System.Threading.Channels;
using StepAudio.Engine.Link;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// One chat request running in the background, its text buffered until someone reads it. This is
/// what makes a speculative response cheap to discard (cancel: the server stops generating) and
/// cheap to commit (the text that already arrived is read at once).
/// </summary>
internal sealed class ChatStream : IAsyncDisposable
{
    private readonly Channel<string> _text = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _cancel;
    private readonly Task _pump;
    private readonly AudioTimeline _timeline;

    // Held for a speculative request: it may stream text, but it must not act (set a timer, change the
    // volume) until the turn commits it.
    private readonly TaskCompletionSource _toolsAllowed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChatStream(GpuServerClient client, IReadOnlyList<ChatMessage> messages, AudioTimeline timeline,
        TurnTools tools, bool holdTools, CancellationToken cancellationToken)
    {
        _timeline = timeline;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        UserContent = messages.Count > 0 ? messages[^1].Content : null;
        RequestStamp = timeline.Stamp();
        RequestAtMs = timeline.NowMs;
        if (!holdTools)
        {
            ReleaseTools();
        }

        _pump = PumpAsync(client, messages, tools, _cancel.Token);
    }

    /// <summary>The current turn as the request carried it (its last message); null for a known text.</summary>
    public string? UserContent { get; }

    /// <summary>When the request went out.</summary>
    public long RequestStamp { get; }

    /// <summary>When the request went out, in input-audio ms.</summary>
    public double RequestAtMs { get; }

    /// <summary>When the first text arrived (0 until then).</summary>
    public long FirstTokenStamp { get; private set; }

    /// <summary>The reply text, as it streams; completes with the server's error if the stream fails.</summary>
    public ChannelReader<string> Text => _text.Reader;

    /// <summary>Whether the request was cancelled.</summary>
    public bool IsCancelled => _cancel.IsCancellationRequested;

    /// <summary>
    /// A chat request through <paramref name="tools"/>: the model's tool calls run beside the reply and
    /// their answers come back as more text on <see cref="Text"/>.
    /// </summary>
    /// <param name="holdTools">Tool calls wait for <see cref="ReleaseTools"/> (a speculative request).</param>
    public static ChatStream Start(GpuServerClient client, IReadOnlyList<ChatMessage> messages, AudioTimeline timeline,
        TurnTools tools, bool holdTools, CancellationToken cancellationToken) =>
        new(client, messages, timeline, tools, holdTools, cancellationToken);

    /// <summary>The request is committed: the tool calls it makes may run.</summary>
    public void ReleaseTools() => _toolsAllowed.TrySetResult();

    /// <summary>A reply whose text is already known (a fleet's <c>say</c> command): no chat request.</summary>
    public static ChatStream FromText(string text, AudioTimeline timeline) => new(text, timeline);

    private ChatStream(string text, AudioTimeline timeline)
    {
        _timeline = timeline;
        _cancel = new CancellationTokenSource();
        RequestStamp = timeline.Stamp();
        RequestAtMs = timeline.NowMs;
        FirstTokenStamp = RequestStamp;
        _text.Writer.TryWrite(text);
        _text.Writer.TryComplete();
        _pump = Task.CompletedTask;
    }

    /// <summary>Stops the request; the connection closes, so the server stops generating.</summary>
    public void Cancel() => _cancel.Cancel();

    public async ValueTask DisposeAsync()
    {
        _cancel.Cancel();
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected when cancelled.
        }

        _cancel.Dispose();
    }

    private async Task PumpAsync(GpuServerClient client, IReadOnlyList<ChatMessage> messages, TurnTools tools, CancellationToken cancellationToken)
    {
        // Let the constructor return before the first network I/O.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        try
        {
            await foreach (var delta in tools.StreamAsync(client, messages, _toolsAllowed.Task, cancellationToken).ConfigureAwait(false))
            {
                if (FirstTokenStamp == 0)
                {
                    FirstTokenStamp = _timeline.Stamp();
                }

                await _text.Writer.WriteAsync(delta, cancellationToken).ConfigureAwait(false);
            }

            _text.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _text.Writer.TryComplete(ex);
        }
    }
}
