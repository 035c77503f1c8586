using System.Runtime.InteropServices;

namespace StepAudio.Benchmarks.Audio;

/// <summary>
/// SpeexDSP's resampler (speex_resampler.h of Debian's libspeexdsp1), mono float, for comparison with ours only:
/// the product does not use it.
/// </summary>
internal sealed partial class SpeexResampler : IDisposable
{
    private const string Library = "libspeexdsp.so.1";
    private nint _state;

    public SpeexResampler(int inputRate, int outputRate, int quality)
    {
        _state = Init(1, (uint)inputRate, (uint)outputRate, quality, out var error);
        if (_state == 0 || error != 0)
        {
            throw new InvalidOperationException($"speex_resampler_init({inputRate} -> {outputRate}, quality {quality}) failed with {error}.");
        }

        Quality = quality;
    }

    public int Quality { get; }

    /// <summary>Resamples all of <paramref name="input"/> into <paramref name="output"/>; returns the samples written.</summary>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        var inLength = (uint)input.Length;
        var outLength = (uint)output.Length;
        var error = ProcessFloat(_state, 0, in MemoryMarshal.GetReference(input), ref inLength, ref MemoryMarshal.GetReference(output), ref outLength);
        if (error != 0 || inLength != input.Length)
        {
            throw new InvalidOperationException($"speex_resampler_process_float returned {error} after {inLength} of {input.Length} samples.");
        }

        return (int)outLength;
    }

    public void Dispose()
    {
        if (_state != 0)
        {
            Destroy(_state);
            _state = 0;
        }
    }

    [LibraryImport(Library, EntryPoint = "speex_resampler_init")]
    private static partial nint Init(uint channels, uint inputRate, uint outputRate, int quality, out int error);

    [LibraryImport(Library, EntryPoint = "speex_resampler_process_float")]
    private static partial int ProcessFloat(nint state, uint channel, in float input, ref uint inputLength, ref float output, ref uint outputLength);

    [LibraryImport(Library, EntryPoint = "speex_resampler_destroy")]
    private static partial void Destroy(nint state);
}
