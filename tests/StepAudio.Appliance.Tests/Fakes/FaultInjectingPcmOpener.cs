using StepAudio.Appliance.Audio;
using StepAudio.Appliance.Audio.Alsa;

namespace StepAudio.Appliance.Tests.Fakes;

/// <summary>
/// Wraps the real opener and injects what the file plugin cannot produce: failed opens, and xrun or device-gone errors
/// returned in place of a read or write. Everything else, recovery included, goes to the real libasound PCM.
/// </summary>
internal sealed class FaultInjectingPcmOpener(IPcmOpener inner) : IPcmOpener
{
    private readonly Queue<int> _openFailures = new();
    private int _opens;

    /// <summary>Given the 1-based open and read numbers, an error to return instead of reading, or 0.</summary>
    public Func<int, int, int> ReadFault { get; init; } = (_, _) => 0;

    /// <summary>Given the 1-based open and write numbers, an error to return instead of writing, or 0.</summary>
    public Func<int, int, int> WriteFault { get; init; } = (_, _) => 0;

    /// <summary>Runs on the audio thread just before an injected fault is returned.</summary>
    public Action<int> FaultInjected { get; init; } = _ => { };

    /// <summary>Makes the devices report nothing rewindable, as a PCM that cannot take frames back does.</summary>
    public bool RewindDisabled { get; init; }

    /// <summary>When set, a write blocks here once the gate says so.</summary>
    public WriteGate? Gate { get; init; }

    /// <summary>Successful opens so far.</summary>
    public int Opens => Volatile.Read(ref _opens);

    /// <summary>Makes the next opens fail with these codes, in order, before any real open.</summary>
    public void FailNextOpens(params int[] errors)
    {
        lock (_openFailures)
        {
            foreach (var error in errors)
            {
                _openFailures.Enqueue(error);
            }
        }
    }

    public IPcmDevice Open(PcmRequest request)
    {
        lock (_openFailures)
        {
            if (_openFailures.TryDequeue(out var error))
            {
                throw AlsaException.CallFailed(request.Device, "opening (injected)", error);
            }
        }

        var device = inner.Open(request);
        return new Device(device, this, Interlocked.Increment(ref _opens));
    }

    private sealed class Device(IPcmDevice inner, FaultInjectingPcmOpener owner, int open) : IPcmDevice
    {
        private int _reads;
        private int _writes;

        public AudioStreamFormat Format => inner.Format;

        public AlsaSampleFormat SampleFormat => inner.SampleFormat;

        public int Read(Span<byte> buffer, int frames)
        {
            var fault = owner.ReadFault(open, ++_reads);
            if (fault < 0)
            {
                owner.FaultInjected(fault);
                return fault;
            }

            return inner.Read(buffer, frames);
        }

        public int Write(ReadOnlySpan<byte> buffer, int frames)
        {
            var fault = owner.WriteFault(open, ++_writes);
            if (fault < 0)
            {
                owner.FaultInjected(fault);
                return fault;
            }

            owner.Gate?.Pass();
            return inner.Write(buffer, frames);
        }

        public int Recover(int error) => inner.Recover(error);

        public int Prepare() => inner.Prepare();

        public int Drain() => inner.Drain();

        public int Drop() => inner.Drop();

        public int Rewindable() => owner.RewindDisabled ? 0 : inner.Rewindable();

        public int Rewind(int frames) => inner.Rewind(frames);

        public void Dispose() => inner.Dispose();
    }
}

/// <summary>Lets a number of writes through, then holds the next one until the test opens the gate.</summary>
internal sealed class WriteGate(int writesBeforeHold) : IDisposable
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _open = new(false);
    private int _passed;

    /// <summary>Completes when a write is waiting at the gate.</summary>
    public Task Held => _held.Task;

    /// <summary>Writes that went through before the hold.</summary>
    public int WritesBeforeHold => writesBeforeHold;

    public void Open() => _open.Set();

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
    }

    internal void Pass()
    {
        if (Interlocked.Increment(ref _passed) == writesBeforeHold + 1)
        {
            _held.TrySetResult();
            _open.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
