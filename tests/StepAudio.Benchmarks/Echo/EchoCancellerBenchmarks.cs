using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Echo;
using StepAudio.TestSupport.Room;

namespace StepAudio.Benchmarks.Echo;

/// <summary>
/// The echo canceller's cost per 32 ms listening frame while the device talks (reference write,
/// reference read, SpeexDSP's filter and residual suppression), for three filter lengths, with the
/// room figures beside it: ERLE after convergence, barge-in latency in frames and self-barge-ins
/// over the reply corpus (<see cref="DuplexFigures"/>). Target: well under 1 ms per frame, 0 bytes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DuplexFigures.Config))]
public class EchoCancellerBenchmarks
{
    private const int Frame = 512;
    private readonly float[] _output = new float[Frame];
    private float[] _played = null!;
    private float[] _captured = null!;
    private PlaybackReference _reference = null!;
    private EchoStage _stage = null!;
    private int _frames;
    private int _frame;

    [Params(128, 200, 256)]
    public int FilterLengthMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _played = DuplexFigures.Corpus();
        _frames = _played.Length / Frame;
        _captured = new float[_frames * Frame];
        var room = new SimulatedRoom(RoomImpulseResponse.Synthesize(DuplexFigures.AcousticDelaySamples));
        for (var f = 0; f < _frames; f++)
        {
            room.Capture(_played.AsSpan(f * Frame, Frame), _captured.AsSpan(f * Frame, Frame));
        }

        var options = new EchoCancellerOptions { FilterLengthMs = FilterLengthMs };
        _reference = PlaybackReference.FromOptions(options);
        _stage = new EchoStage(options, _reference);
    }

    [GlobalCleanup]
    public void Cleanup() => _stage.Dispose();

    [Benchmark(Description = "echo cancellation, one 32 ms frame during playback")]
    public float CancelOneFrame()
    {
        var at = _frame * Frame;
        _reference.Write(_played.AsSpan(at, Frame));
        _stage.Process(_captured.AsSpan(at, Frame), _output);
        _frame = (_frame + 1) % _frames;
        return _output[0];
    }
}
