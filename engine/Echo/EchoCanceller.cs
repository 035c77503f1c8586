using System.Numerics.Tensors;
using StepAudio.Engine.Audio;

namespace StepAudio.Engine.Echo;

/// <summary>
/// Removes the device's own playback from the microphone signal: SpeexDSP's adaptive echo
/// canceller (an MDF frequency-domain filter that models the loudspeaker-room-microphone path)
/// followed by its preprocessor, which suppresses the echo the linear filter leaves. 16 kHz mono;
/// every buffer is sized here, so processing allocates nothing.
/// </summary>
/// <remarks>
/// Why SpeexDSP: Debian ships it as a small package (libspeexdsp1, about 100 kB) with a stable C
/// ABI that P/Invoke reaches directly, and it runs in fixed frames with no threads of its own.
/// WebRTC's audio processing would cancel as well or better, but there is no package of it here and
/// vendoring its C++ build is out of proportion for one stage.
/// </remarks>
public sealed class EchoCanceller : IDisposable
{
    /// <summary>The only rate it runs at: the listening loop's.</summary>
    public const int SampleRate = PipelineAudio.SampleRate;

    private const float ToPcm = 32767f;
    private const float FromPcm = 1f / 32768f;

    private readonly SpeexEchoHandle _echo;
    private readonly SpeexPreprocessHandle _preprocess;
    private readonly short[] _capture;
    private readonly short[] _reference;
    private readonly short[] _output;
    private readonly float[] _scaled;

    public EchoCanceller(EchoCancellerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FrameSamples = options.FrameSamples;
        FilterLengthSamples = options.FilterLengthMs * SampleRate / 1000;
        try
        {
            _echo = SpeexDsp.EchoStateInit(FrameSamples, FilterLengthSamples);
        }
        catch (DllNotFoundException ex)
        {
            throw new EchoCancellerUnavailableException(
                $"Echo cancellation needs {SpeexDsp.Library}, which is not installed: install the Debian package libspeexdsp1 " +
                "(deploy.sh setup does) or set Echo:Enabled to false.", ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new EchoCancellerUnavailableException(
                $"{SpeexDsp.Library} lacks the echo canceller ({ex.Message}); SpeexDSP 1.2 or newer is needed.", ex);
        }

        if (_echo.IsInvalid)
        {
            _echo.Dispose();
            throw new EchoCancellerUnavailableException(
                $"SpeexDSP refused an echo canceller of {FrameSamples}-sample frames and a {FilterLengthSamples}-sample filter.");
        }

        var rate = SampleRate;
        SpeexDsp.EchoCtl(_echo, SpeexDsp.EchoSetSamplingRate, ref rate);
        _preprocess = SpeexDsp.PreprocessStateInit(FrameSamples, SampleRate);
        if (_preprocess.IsInvalid)
        {
            _preprocess.Dispose();
            _echo.Dispose();
            throw new EchoCancellerUnavailableException($"SpeexDSP refused a preprocessor of {FrameSamples}-sample frames.");
        }

        // SpeexDSP applies residual echo suppression through its denoiser's gains, so the denoiser
        // stays on; its noise suppression is kept mild (options) so the user's voice, which the
        // VAD, wake word and tokenizer hear next, is not coloured.
        var on = 1;
        SpeexDsp.PreprocessCtl(_preprocess, SpeexDsp.PreprocessSetDenoise, ref on);
        var noise = options.NoiseSuppressDb;
        SpeexDsp.PreprocessCtl(_preprocess, SpeexDsp.PreprocessSetNoiseSuppress, ref noise);
        SpeexDsp.PreprocessCtl(_preprocess, SpeexDsp.PreprocessSetEchoState, _echo);
        var suppress = options.ResidualEchoSuppressDb;
        SpeexDsp.PreprocessCtl(_preprocess, SpeexDsp.PreprocessSetEchoSuppress, ref suppress);
        var suppressActive = options.ResidualEchoSuppressActiveDb;
        SpeexDsp.PreprocessCtl(_preprocess, SpeexDsp.PreprocessSetEchoSuppressActive, ref suppressActive);

        _capture = new short[FrameSamples];
        _reference = new short[FrameSamples];
        _output = new short[FrameSamples];
        _scaled = new float[FrameSamples];
    }

    /// <summary>Samples per SpeexDSP frame; <see cref="Process"/> takes whole multiples of it.</summary>
    public int FrameSamples { get; }

    /// <summary>The adaptive filter's length in samples.</summary>
    public int FilterLengthSamples { get; }

    /// <summary>
    /// Cancels <paramref name="reference"/>'s echo from <paramref name="capture"/> into <paramref name="output"/>
    /// (all the same length, a multiple of <see cref="FrameSamples"/>, samples in [-1, 1]). The reference is what
    /// the loudspeaker played, aligned so that its samples lead their echo in the capture.
    /// </summary>
    public void Process(ReadOnlySpan<float> capture, ReadOnlySpan<float> reference, Span<float> output)
    {
        if (capture.Length != reference.Length || capture.Length != output.Length || capture.Length % FrameSamples != 0)
        {
            throw new ArgumentException(
                $"capture ({capture.Length}), reference ({reference.Length}) and output ({output.Length}) must be the same whole number of {FrameSamples}-sample frames.",
                nameof(capture));
        }

        for (var offset = 0; offset < capture.Length; offset += FrameSamples)
        {
            ToShorts(capture.Slice(offset, FrameSamples), _capture);
            ToShorts(reference.Slice(offset, FrameSamples), _reference);
            SpeexDsp.EchoCancellation(_echo, in _capture[0], in _reference[0], ref _output[0]);
            SpeexDsp.PreprocessRun(_preprocess, ref _output[0]);
            var frame = output.Slice(offset, FrameSamples);
            TensorPrimitives.ConvertTruncating<short, float>(_output, frame);
            TensorPrimitives.Multiply(frame, FromPcm, frame);
        }
    }

    /// <summary>Forgets the learned echo path (after the loudspeaker or room changed).</summary>
    public void Reset() => SpeexDsp.EchoStateReset(_echo);

    /// <inheritdoc />
    public void Dispose()
    {
        _preprocess.Dispose();
        _echo.Dispose();
    }

    private void ToShorts(ReadOnlySpan<float> samples, Span<short> destination)
    {
        TensorPrimitives.Multiply(samples, ToPcm, _scaled);
        TensorPrimitives.ConvertSaturating<float, short>(_scaled, destination);
    }
}
