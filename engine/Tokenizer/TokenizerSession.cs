using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// One user turn being tokenised as it is spoken. <see cref="Append"/> runs on the audio loop and
/// only copies samples into a buffer sized at start; the encoding happens on the session's worker,
/// fed through a channel, because a vq02 chunk takes milliseconds on the model (and the whole
/// prefix is redone when the peak rises), which the audio loop cannot wait for.
/// </summary>
public sealed class TokenizerSession : IDisposable
{
    private readonly float[] _samples;
    private readonly Channel<Request> _requests;
    private readonly SessionProcessor _processor;
    private readonly ILogger _logger;
    private readonly Task _worker;

    // How often the worker looks for new vq02 pieces (a piece is 240 ms of audio).
    private static readonly TimeSpan WorkerTick = TimeSpan.FromMilliseconds(20);
    private int _count;
    private int _completed;
    private volatile bool _disposed;
    private Exception? _fault;

    internal TokenizerSession(DualCodebookTokenizer tokenizer, int capacity, ILogger logger)
    {
        _samples = new float[capacity];
        _logger = logger;
        _processor = new SessionProcessor(tokenizer, _samples, logger);
        _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Samples appended so far.</summary>
    public int SampleCount => Volatile.Read(ref _count);

    /// <summary>The most samples this session can hold (TokenizerOptions.MaxUtteranceSeconds).</summary>
    public int Capacity => _samples.Length;

    /// <summary>How many times a rising peak made the worker start over (diagnostics).</summary>
    internal int Restarts => _processor.Restarts;

    /// <summary>
    /// Adds 16 kHz mono samples (not yet normalised). Cheap and allocation-free: a copy and a
    /// count. The worker looks for new pieces on its own clock, because waking it from the audio
    /// thread would queue work on the thread pool from there, which allocates now and then.
    /// </summary>
    /// <exception cref="InvalidOperationException">The turn was completed, or it would exceed <see cref="Capacity"/>.</exception>
    public void Append(ReadOnlySpan<float> samples16kMono)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _completed) != 0)
        {
            throw new InvalidOperationException("The tokenizer session was completed; start a new session for the next turn.");
        }

        var before = _count;
        if (samples16kMono.Length > _samples.Length - before)
        {
            throw new InvalidOperationException(
                $"The turn exceeds the tokenizer's {_samples.Length / PipelineAudio.SampleRate} s limit (TokenizerOptions.MaxUtteranceSeconds): {before} samples held, {samples16kMono.Length} more arrived.");
        }

        samples16kMono.CopyTo(_samples.AsSpan(before));
        Volatile.Write(ref _count, before + samples16kMono.Length);
    }

    /// <summary>The tokens of the audio so far, as if the turn ended now; the session goes on.</summary>
    public ValueTask<AudioTokens> SnapshotAsync(CancellationToken ct) => Post(RequestKind.Snapshot, ct);

    /// <summary>Ends the turn: the final vq02 piece, one vq06 run per open segment, the merge.</summary>
    public ValueTask<AudioTokens> CompleteAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            throw new InvalidOperationException("The tokenizer session was already completed.");
        }

        var result = Post(RequestKind.Complete, ct);
        _requests.Writer.TryComplete();
        return result;
    }

    /// <summary>Stops the worker after the model call in progress, if any.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _requests.Writer.TryComplete();
        try
        {
            _worker.Wait();
        }
        catch (AggregateException)
        {
            // The worker reports its faults through the pending requests; nothing is left to tell.
        }
    }

    private ValueTask<AudioTokens> Post(RequestKind kind, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        var completion = new TaskCompletionSource<AudioTokens>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(static state => ((TaskCompletionSource<AudioTokens>)state!).TrySetCanceled(), completion);
            completion.Task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (!_requests.Writer.TryWrite(new Request(kind, completion, Volatile.Read(ref _count))))
        {
            throw new InvalidOperationException("The tokenizer session was completed; start a new session for the next turn.");
        }

        return new ValueTask<AudioTokens>(completion.Task);
    }

    private async Task RunAsync()
    {
        var reader = _requests.Reader;
        using var tick = new PeriodicTimer(WorkerTick);
        Task<bool>? readable = null;
        Task<bool>? ticked = null;
        while (true)
        {
            // Read the count first, then drain: every snapshot asked for below this count was
            // posted before the count was written, so it is in the channel now and is served (at
            // its own count) before the worker moves on to the pieces the count adds.
            var seen = Volatile.Read(ref _count);
            while (reader.TryRead(out var request))
            {
                if (_disposed)
                {
                    request.Completion?.TrySetException(new ObjectDisposedException(nameof(TokenizerSession)));
                    continue;
                }

                Handle(request);
            }

            if (!_disposed && Volatile.Read(ref _completed) == 0)
            {
                Handle(new Request(RequestKind.Advance, null, seen));
            }

            readable ??= reader.WaitToReadAsync().AsTask();
            ticked ??= tick.WaitForNextTickAsync().AsTask();
            var woken = await Task.WhenAny(readable, ticked).ConfigureAwait(false);
            if (woken == readable)
            {
                if (!await readable.ConfigureAwait(false))
                {
                    break;
                }

                readable = null;
            }
            else
            {
                ticked = null;
            }
        }
    }

    private void Handle(Request request)
    {
        if (_fault is not null)
        {
            request.Completion?.TrySetException(_fault);
            return;
        }

        if (request.Completion is { Task.IsCompleted: true })
        {
            return;
        }

        try
        {
            // Each request carries the sample count at the moment it was made: a snapshot asked for
            // at a pause covers exactly the audio up to the pause, however far the loop has moved on.
            var count = request.Count;
            if (request.Kind == RequestKind.Advance)
            {
                _processor.Advance(count);
            }
            else
            {
                request.Completion!.TrySetResult(_processor.Tokens(count));
            }
        }
#pragma warning disable CA1031 // The worker must outlive any failure: it is stored and handed to every caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _fault = ex;
            TokenizerLog.SessionFailed(_logger, ex);
            request.Completion?.TrySetException(ex);
        }
    }

    private enum RequestKind
    {
        Advance,
        Snapshot,
        Complete,
    }

    private readonly record struct Request(RequestKind Kind, TaskCompletionSource<AudioTokens>? Completion, int Count);
}
