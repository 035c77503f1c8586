using System.Runtime.InteropServices;

namespace StepAudio.Engine.Echo;

/// <summary>
/// The slice of SpeexDSP's C API the echo canceller uses (speex_echo.h and speex_preprocess.h of
/// Debian's libspeexdsp1). Samples are spx_int16_t; states are opaque pointers owned by SafeHandles.
/// </summary>
internal static partial class SpeexDsp
{
    internal const string Library = "libspeexdsp.so.1";

    internal const int EchoSetSamplingRate = 24;
    internal const int PreprocessSetDenoise = 0;
    internal const int PreprocessSetNoiseSuppress = 18;
    internal const int PreprocessSetEchoSuppress = 20;
    internal const int PreprocessSetEchoSuppressActive = 22;
    internal const int PreprocessSetEchoState = 24;

    [LibraryImport(Library, EntryPoint = "speex_echo_state_init")]
    internal static partial SpeexEchoHandle EchoStateInit(int frameSize, int filterLength);

    [LibraryImport(Library, EntryPoint = "speex_echo_state_destroy")]
    internal static partial void EchoStateDestroy(nint state);

    [LibraryImport(Library, EntryPoint = "speex_echo_state_reset")]
    internal static partial void EchoStateReset(SpeexEchoHandle state);

    [LibraryImport(Library, EntryPoint = "speex_echo_cancellation")]
    internal static partial void EchoCancellation(SpeexEchoHandle state, in short capture, in short playback, ref short output);

    [LibraryImport(Library, EntryPoint = "speex_echo_ctl")]
    internal static partial int EchoCtl(SpeexEchoHandle state, int request, ref int value);

    [LibraryImport(Library, EntryPoint = "speex_preprocess_state_init")]
    internal static partial SpeexPreprocessHandle PreprocessStateInit(int frameSize, int samplingRate);

    [LibraryImport(Library, EntryPoint = "speex_preprocess_state_destroy")]
    internal static partial void PreprocessStateDestroy(nint state);

    [LibraryImport(Library, EntryPoint = "speex_preprocess_run")]
    internal static partial int PreprocessRun(SpeexPreprocessHandle state, ref short frame);

    [LibraryImport(Library, EntryPoint = "speex_preprocess_ctl")]
    internal static partial int PreprocessCtl(SpeexPreprocessHandle state, int request, ref int value);

    [LibraryImport(Library, EntryPoint = "speex_preprocess_ctl")]
    internal static partial int PreprocessCtl(SpeexPreprocessHandle state, int request, SpeexEchoHandle echoState);
}

/// <summary>A SpeexEchoState*; destroyed when released.</summary>
internal sealed class SpeexEchoHandle : SafeHandle
{
    public SpeexEchoHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        SpeexDsp.EchoStateDestroy(handle);
        return true;
    }
}

/// <summary>A SpeexPreprocessState*; destroyed when released.</summary>
internal sealed class SpeexPreprocessHandle : SafeHandle
{
    public SpeexPreprocessHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        SpeexDsp.PreprocessStateDestroy(handle);
        return true;
    }
}
