namespace StepAudio.Engine.Echo;

/// <summary>
/// The listening loop's front stage while the device can hear itself: reads the playback reference
/// that lines up with each captured block and, while something is playing or its echo rings, runs
/// the echo canceller over it. With cancellation off it still tracks whether the device is playing
/// (barge-in needs to know) and passes the capture through.
/// </summary>
public sealed class EchoStage : IDisposable
{
    private readonly EchoCanceller? _canceller;
    private readonly float[] _reference;

    /// <param name="options">Cancellation settings; <see cref="EchoCancellerOptions.Enabled"/> false passes audio through.</param>
    /// <param name="reference">The ring the playback path writes; the stage is its only reader.</param>
    /// <param name="maxBlockSamples">The largest block <see cref="Process"/> will be given.</param>
    public EchoStage(EchoCancellerOptions options, PlaybackReference reference, int maxBlockSamples = 512)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlockSamples);
        Reference = reference;
        _canceller = options.Enabled ? new EchoCanceller(options) : null;
        _reference = new float[maxBlockSamples];
    }

    /// <summary>The playback reference it reads.</summary>
    public PlaybackReference Reference { get; }

    /// <summary>Whether cancellation runs (off: the capture passes through unchanged).</summary>
    public bool Cancels => _canceller is not null;

    /// <summary>True when the block last processed was heard while the device played (or its echo rang).</summary>
    public bool PlaybackActive => Reference.IsPlaying;

    /// <summary>Blocks that went through the canceller since start.</summary>
    public long CancelledBlocks { get; private set; }

    /// <summary>Milliseconds of playback the canceller has adapted on since start (how well it may know the room).</summary>
    public long AdaptedMs { get; private set; }

    /// <summary>Cleans one captured block (16 kHz mono) into <paramref name="output"/> of the same length.</summary>
    public void Process(ReadOnlySpan<float> capture, Span<float> output)
    {
        if (capture.Length > _reference.Length || output.Length != capture.Length)
        {
            throw new ArgumentException(
                $"A block of {capture.Length} samples into {output.Length}: blocks must match and hold at most {_reference.Length} samples.", nameof(capture));
        }

        var reference = _reference.AsSpan(0, capture.Length);
        Reference.Read(reference);
        if (_canceller is null || !Reference.IsPlaying)
        {
            capture.CopyTo(output);
            return;
        }

        _canceller.Process(capture, reference, output);
        CancelledBlocks++;
        AdaptedMs += capture.Length / 16;
    }

    /// <inheritdoc />
    public void Dispose() => _canceller?.Dispose();
}
